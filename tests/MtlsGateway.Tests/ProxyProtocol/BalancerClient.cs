using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.ProxyProtocol;

/// <summary>
/// Plays the load balancer in front of a <see cref="GatewayTestHost"/>: connects from a chosen loopback address,
/// writes a PROXY header (or any bytes), then lets a real client speak TLS/HTTP on the same connection.
/// </summary>
internal static class BalancerClient
{
    /// <summary>A balancer's address (trusted in the tests' config) and an outsider's (not trusted).</summary>
    public static readonly IPAddress Balancer = IPAddress.Loopback;

    public static readonly IPAddress Outsider = IPAddress.Parse("127.0.0.2");

    public static async Task<Socket> ConnectAsync(int port, IPAddress from, byte[] prefix, CancellationToken token = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(IPAddress.Loopback, port, token);
            if (prefix.Length > 0)
            {
                await socket.SendAsync(prefix, token);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HttpClient whose every connection comes from <paramref name="from"/> and starts with <paramref name="header"/>.</summary>
    public static HttpClient CreateHttpClient(GatewayTestHost host, byte[] header, string listener = "public", string? certificate = "client",
        string hostName = "localhost", IPAddress? from = null)
    {
        var port = host.Port(listener);
        var root = X509CertificateLoader.LoadCertificateFromFile(host.Pki("partners-root.crt"));
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) => new NetworkStream(await ConnectAsync(port, from ?? Balancer, header, token), ownsSocket: true),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = certificate is null ? null : host.ClientCertificate(certificate),
                RemoteCertificateValidationCallback = (_, server, _, _) => server is not null && IssuedBy(server, root),
            },
        };
        var scheme = listener == "plain" ? "http" : "https";
        return new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://{hostName}:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Reads until the gateway closes the connection (bounded); the bytes it sent before closing.</summary>
    public static async Task<int> BytesUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    return total;
                }

                total += read;
            }
        }
        catch (SocketException)
        {
            return total; // reset: closed too
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the gateway kept the connection open for {timeout}");
        }
    }

    private static bool IssuedBy(X509Certificate server, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(server.GetRawCertData()));
    }
}
