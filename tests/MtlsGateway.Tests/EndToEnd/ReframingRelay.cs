using System.Net;
using System.Net.Sockets;
using MtlsGateway.Tests.Passthrough;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// A loopback TCP relay in front of the gateway that re-frames each client's ClientHello into TLS records of
/// <c>recordPayload</c> bytes (as a middlebox may, RFC 8446 §5.1) and relays everything else untouched: clients the
/// test cannot fragment itself (curl) reach the gateway with a split hello.
/// </summary>
internal sealed class ReframingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _target;
    private readonly int _recordPayload;
    private readonly Task _accepting;

    public ReframingRelay(int target, int recordPayload)
    {
        _target = target;
        _recordPayload = recordPayload;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var gateway = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            try
            {
                await gateway.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                var header = await ClientHellos.ReceiveExactlyAsync(client, 5, _stop.Token);
                var body = await ClientHellos.ReceiveExactlyAsync(client, (header[3] << 8) | header[4], _stop.Token);
                await gateway.SendAsync(ClientHellos.Reframe([.. header, .. body], _recordPayload), SocketFlags.None, _stop.Token);
                await Task.WhenAll(PumpAsync(client, gateway), PumpAsync(gateway, client));
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                // Either side gone: the test asserts on what the client and the gateway's log saw.
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            to.Close(); // a reset on one side is a reset on the other
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
