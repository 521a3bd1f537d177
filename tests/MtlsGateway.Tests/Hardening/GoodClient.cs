using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>A well-behaved partner for a gateway process the test started (the real binary): the <c>client</c>
/// certificate of the folder's PKI, HTTP/1.1 keep-alive, to <c>https://localhost:PORT</c>.</summary>
internal static class GoodClient
{
    public static HttpClient Create(ConfigFolder folder, int port)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [X509Certificate2.CreateFromPemFile(folder.Pki("client.crt"), folder.Pki("client.key"))],
#pragma warning disable CA5359 // the server certificate is not what these tests are about
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }
}
