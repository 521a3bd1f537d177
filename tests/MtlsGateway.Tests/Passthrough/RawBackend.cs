using System.Net;
using System.Net.Sockets;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>
/// A plain TCP destination on loopback: sees exactly the bytes the gateway relays (the ClientHello included), so
/// tests can check byte-exact forwarding and FIN handling without TLS in the way. Each accepted connection runs
/// <c>handler</c>; its task is kept so a test can await what the backend observed.
/// </summary>
internal sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accepting;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Task> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RawBackend(TcpListener listener, Func<Socket, Task> handler)
    {
        _listener = listener;
        _accepting = AcceptAsync(handler);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The handlers' tasks, in accept order.</summary>
    public List<Task> Connections { get; } = [];

    public static RawBackend Start(Func<Socket, Task> handler, int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new RawBackend(listener, handler);
    }

    /// <summary>Reads until the peer's FIN (bounded by <paramref name="timeout"/>).</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    private async Task AcceptAsync(Func<Socket, Task> handler)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var connection = RunAsync(socket, handler);
                lock (Connections)
                {
                    Connections.Add(connection);
                }

                _first.TrySetResult(connection);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private static async Task RunAsync(Socket socket, Func<Socket, Task> handler)
    {
        using (socket)
        {
            await handler(socket);
        }
    }

    /// <summary>The first accepted connection's handler task, once that connection has been accepted (bounded wait).</summary>
    public Task<Task> FirstConnectionAsync(TimeSpan timeout) => _first.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
