using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// The slow and idle clients of slowloris-style attacks, on real sockets: each sends its bytes at a fixed pace and
/// reports, bounded, whether and when the gateway closed the connection on it.
/// </summary>
internal static class SlowClient
{
    /// <summary>What the server did: closed the connection (after <paramref name="Elapsed"/>, having answered
    /// <paramref name="Answer"/>), or left it open until the client ran out of bytes or time.</summary>
    internal sealed record Outcome(bool ClosedByServer, TimeSpan Elapsed, int BytesSent, string Answer);

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>A TLS connection (HTTP/1.1 by ALPN) with <paramref name="certificate"/>, ready to trickle a request.</summary>
    public static async Task<SslStream> ConnectTlsAsync(int port, string sni, SslStreamCertificateContext? certificate)
    {
        var socket = await ConnectAsync(port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ClientCertificateContext = certificate,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
#pragma warning disable CA5359 // the server certificate is not what these tests are about
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
        }, timeout.Token);
        return tls;
    }

    /// <summary>Writes <paramref name="bytes"/> <paramref name="chunk"/> at a time, one chunk per <paramref name="pace"/>,
    /// while reading; stops when the server closes or after <paramref name="limit"/>.</summary>
    public static async Task<Outcome> TrickleAsync(Stream stream, byte[] bytes, int chunk, TimeSpan pace, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(bytes);
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(limit);
        var answer = new MemoryStream();
        var reading = ReadUntilClosedAsync(stream, answer, deadline.Token);
        var sent = 0;
        try
        {
            while (sent < bytes.Length && !reading.IsCompleted)
            {
                var size = Math.Min(chunk, bytes.Length - sent);
                await stream.WriteAsync(bytes.AsMemory(sent, size), deadline.Token);
                await stream.FlushAsync(deadline.Token);
                sent += size;
                await Task.WhenAny(reading, Task.Delay(pace, deadline.Token));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the server closed while we wrote, or the time ran out
        }

        var closed = await reading;
        return new Outcome(closed, clock.Elapsed, sent, System.Text.Encoding.ASCII.GetString(answer.ToArray()));
    }

    /// <summary>True when the server closed the connection (EOF or reset) before <paramref name="token"/> fired.</summary>
    public static async Task<bool> ReadUntilClosedAsync(Stream stream, Stream? answer, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, token)) > 0)
            {
                answer?.Write(buffer, 0, read);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return true;
        }
    }
}
