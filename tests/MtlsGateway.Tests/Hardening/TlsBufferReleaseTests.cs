using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tls;

namespace MtlsGateway.Tests.Hardening;

/// <summary><c>Gateway:Limits:ReleaseTlsBuffers</c>: a real TLS session over loopback gets OpenSSL's
/// SSL_MODE_RELEASE_BUFFERS, gives back its memory BIOs' handshake-sized buffers and its copy of the CA names, and
/// data still flows both ways across many records.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TlsBufferReleaseTests
{
    private const long ReleaseBuffers = 0x10;

    [Fact]
    public async Task Apply_SetsReleaseBuffers_AndRecordsStillFlowBothWays()
    {
        var release = new OpenSslBufferRelease();
        release.IsAvailable.Should().BeTrue("the gateway runs on Linux with .NET's OpenSSL sessions");
        await using var pair = await TlsPair.ConnectAsync();
        var before = release.ModeOf(pair.Server);

        release.Apply(pair.Server);

        before.Should().NotBeNull();
        (before!.Value & ReleaseBuffers).Should().Be(0, "OpenSSL's default mode keeps the buffers");
        (release.ModeOf(pair.Server)!.Value & ReleaseBuffers).Should().Be(ReleaseBuffers);
        var payload = RandomNumberGenerator.GetBytes(256 * 1024); // 16+ full records each way
        await RoundTripAsync(pair.Client, pair.Server, payload);
        await RoundTripAsync(pair.Server, pair.Client, payload);
    }

    [Fact]
    public async Task Apply_FreesTheHandshakesBioBuffersAndCaNames_AndRecordsStillFlowBothWays()
    {
        var release = new OpenSslBufferRelease();
        using var partnerCa = TlsPair.SelfSigned("CN=Partner CA");
        await using var pair = await TlsPair.ConnectAsync(advertised: partnerCa);
        var before = release.HeldBy(pair.Server);

        release.Apply(pair.Server);

        before.Should().NotBeNull();
        before!.Value.Write.Should().BeGreaterThan(512, "the server's handshake flight (its certificate) went through the write BIO");
        before.Value.CaNames.Should().Be(1, "the CertificateRequest listed the partner CA");
        release.HeldBy(pair.Server).Should().Be((0L, 0L, 0L));
        var payload = RandomNumberGenerator.GetBytes(256 * 1024);
        await RoundTripAsync(pair.Client, pair.Server, payload);
        await RoundTripAsync(pair.Server, pair.Client, payload);
    }

    [Fact]
    public async Task Apply_AlsoReachesSessionsCreatedLater_FromTheSharedContext()
    {
        var release = new OpenSslBufferRelease();
        using var certificate = TlsPair.SelfSigned();
        await using (var first = await TlsPair.ConnectAsync(certificate))
        {
            release.Apply(first.Server);
        }

        await using var second = await TlsPair.ConnectAsync(certificate);

        (release.ModeOf(second.Server)!.Value & ReleaseBuffers).Should().Be(ReleaseBuffers);
    }

    private static async Task RoundTripAsync(SslStream from, SslStream to, byte[] payload)
    {
        var write = from.WriteAsync(payload).AsTask();
        var received = new byte[payload.Length];
        await to.ReadExactlyAsync(received);
        await write;
        received.Should().Equal(payload);
    }

    private sealed class TlsPair : IAsyncDisposable
    {
        private readonly X509Certificate2? _owned;

        private TlsPair(SslStream server, SslStream client, X509Certificate2? owned)
        {
            Server = server;
            Client = client;
            _owned = owned;
        }

        public SslStream Server { get; }

        public SslStream Client { get; }

        public static X509Certificate2 SelfSigned(string subject = "CN=localhost")
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }

        /// <param name="advertised">When set, the server asks for a client certificate and lists this CA's name
        /// (the gateway's way); the client sends none and the server accepts that.</param>
        public static async Task<TlsPair> ConnectAsync(X509Certificate2? certificate = null, X509Certificate2? advertised = null)
        {
            var owned = certificate is null ? SelfSigned() : null;
            var serverCertificate = certificate ?? owned!;
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var accept = listener.AcceptSocketAsync();
            var clientSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await clientSocket.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            var server = new SslStream(new NetworkStream(await accept, ownsSocket: true), false,
                (_, presented, _, _) => presented is null); // the client sends no certificate
            var pinned = serverCertificate.GetCertHashString(HashAlgorithmName.SHA256);
            var client = new SslStream(new NetworkStream(clientSocket, ownsSocket: true), false,
                (_, presented, _, _) => presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == pinned);
            await Task.WhenAll(
                server.AuthenticateAsServerAsync(advertised is null
                    ? new SslServerAuthenticationOptions { ServerCertificate = serverCertificate }
                    : new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = SslStreamCertificateContext.Create(serverCertificate, null, offline: true,
                            SslCertificateTrust.CreateForX509Collection([advertised], sendTrustInHandshake: true)),
                        ClientCertificateRequired = true,
                    }),
                client.AuthenticateAsClientAsync("localhost"));
            return new TlsPair(server, client, owned);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            _owned?.Dispose();
        }
    }
}
