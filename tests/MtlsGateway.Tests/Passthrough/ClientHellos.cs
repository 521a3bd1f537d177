using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>Real ClientHellos: captured from .NET's own TLS client (OpenSSL underneath) against a socket the test owns.</summary>
internal static class ClientHellos
{
    /// <summary>The exact bytes an <see cref="SslStream"/> client sends first, for <paramref name="sni"/> (none when
    /// null) and <paramref name="alpn"/>: one TLS record holding the whole ClientHello.</summary>
    public static async Task<byte[]> CaptureAsync(string? sni, params string[] alpn)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptSocketAsync();
        await using var tls = new SslStream(client.GetStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? string.Empty,
            ApplicationProtocols = alpn.Length == 0 ? null : alpn.Select(p => new SslApplicationProtocol(p)).ToList(),
        }, cts.Token);

        var header = await ReceiveExactlyAsync(server, 5, cts.Token);
        var body = await ReceiveExactlyAsync(server, (header[3] << 8) | header[4], cts.Token);
        server.Close(); // the client's handshake fails; only its first flight was wanted
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return [.. header, .. body];
    }

    /// <summary>The same handshake message re-framed into records of at most <paramref name="recordPayload"/> bytes
    /// (RFC 8446 §5.1 allows it; OpenSSL and the gateway must both accept it).</summary>
    public static byte[] Reframe(byte[] singleRecord, int recordPayload)
    {
        var message = singleRecord.AsSpan(5);
        var output = new List<byte>();
        for (var offset = 0; offset < message.Length; offset += recordPayload)
        {
            var length = Math.Min(recordPayload, message.Length - offset);
            output.AddRange([0x16, singleRecord[1], singleRecord[2], (byte)(length >> 8), (byte)length]);
            output.AddRange(message.Slice(offset, length).ToArray());
        }

        return [.. output];
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken token)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, token);
            if (n == 0)
            {
                throw new IOException("closed before the ClientHello was complete");
            }

            read += n;
        }

        return buffer;
    }
}
