using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Tests.Support;

/// <summary>A raw TLS client: what a handshake with a given SNI, ALPN and client certificate yields.</summary>
internal static class TlsProbe
{
    internal sealed record Outcome(bool Completed, X509Certificate2? ServerCertificate, string? Alpn, SslProtocols Protocol, string? Error);

    /// <param name="wrap">Wraps the network stream under TLS (e.g. a FragmentingStream that re-frames the ClientHello).</param>
    public static async Task<Outcome> HandshakeAsync(
        int port, string? sni, SslStreamCertificateContext? clientCertificate = null,
        IEnumerable<SslApplicationProtocol>? alpn = null, SslProtocols protocols = SslProtocols.None, Func<Stream, Stream>? wrap = null)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new SslStream(Wrap(client.GetStream(), wrap));
        X509Certificate2? seen = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni ?? string.Empty,
                ClientCertificateContext = clientCertificate,
                ApplicationProtocols = alpn?.ToList(),
                EnabledSslProtocols = protocols,
#pragma warning disable CA5359 // the probe records what the server presents; tests assert on it
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return true;
                },
#pragma warning restore CA5359
            }, timeout.Token);

            // With TLS 1.3 a refused client certificate shows only after the handshake: the server closes.
            // One read tells a live connection (times out waiting) from a refused one (EOF or reset).
            var refused = await ClosedByServerAsync(stream);
            return new Outcome(!refused, seen, stream.NegotiatedApplicationProtocol.ToString(), stream.SslProtocol, refused ? "closed by server" : null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            return new Outcome(false, seen, null, SslProtocols.None, ex.Message);
        }
    }

    /// <summary>Sends raw HTTP/1.1 bytes over TLS with the given SNI (the Host header is the caller's, unlike
    /// HttpClient's, which takes SNI from Host) and returns everything the server answered until it closed.</summary>
    public static async Task<string> ExchangeAsync(
        int port, string sni, string rawRequest, SslStreamCertificateContext? clientCertificate = null, Func<Stream, Stream>? wrap = null)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new SslStream(Wrap(client.GetStream(), wrap));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ClientCertificateContext = clientCertificate,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
#pragma warning disable CA5359 // the server certificate is not what these tests are about
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
        }, timeout.Token);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(rawRequest), timeout.Token);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static Stream Wrap(NetworkStream network, Func<Stream, Stream>? wrap) => wrap is null ? network : wrap(network);

    private static async Task<bool> ClosedByServerAsync(SslStream stream)
    {
        // A request the server must answer: an HTTP/1.1 HEAD without a route match answers 404 (bounded wait).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (stream.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2)
            {
                return false; // the caller asserts on ALPN only
            }

            await stream.WriteAsync("HEAD /__probe HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[1];
            return await stream.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
            return true;
        }
    }
}
