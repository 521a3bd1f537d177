using System.Text;
using Microsoft.AspNetCore.Connections;
using MtlsGateway.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>
/// End to end with a partner's real TLS server (Kestrel, its own CA) behind the gateway: the gateway relays the
/// TLS session untouched, so the client sees the backend's certificate and does mutual TLS with the backend.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PassthroughTlsTests
{
    private static Task Greet(ConnectionContext connection, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate) =>
        connection.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes($"backend here; client {clientCertificate?.Subject ?? "anonymous"}\n")).AsTask();

    [Theory]
    [InlineData("legacy.partner.test")]
    [InlineData("x.legacy.test")]
    public async Task Passthrough_TlsBackend_ClientSeesBackendCertificateNotGateways(string sni)
    {
        await using var backend = await TlsBackend.StartAsync(Greet);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        var (tls, seen) = await PassthroughSetup.ConnectTlsAsync(host.Port(), sni, backend.Root);
        await using (tls)
        {
            seen.Thumbprint.Should().Be(backend.ServerCertificate.Thumbprint, "the backend's TLS is not terminated by the gateway");
            seen.Subject.Should().Be("CN=legacy.partner.test");
            (await PassthroughSetup.ReadLineAsync(tls)).Should().Be("backend here; client anonymous");
        }

        var opened = await host.Logs.WaitForAsync("PassthroughOpened");
        LogSink.Property(opened, "Sni").Should().Be(sni);
        LogSink.Property(opened, "Entry").Should().Be("legacy");
        LogSink.Property(opened, "Alpn").Should().Be("http/1.1");
        LogSink.Property(opened, "Destination").Should().Be($"127.0.0.1:{backend.Port}");
        host.Logs.Named("HandshakeFailed").Should().BeEmpty();
    }

    [Fact]
    public async Task Passthrough_BackendRequiresClientCertificate_MutualTlsCompletesWithBackend()
    {
        await using var backend = await TlsBackend.StartAsync(Greet, requireClientCertificate: true);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        var (tls, _) = await PassthroughSetup.ConnectTlsAsync(host.Port(), "legacy.partner.test", backend.Root,
            backend.IssueClientCertificate("CN=legacy-client"));
        await using (tls)
        {
            (await PassthroughSetup.ReadLineAsync(tls)).Should().Be("backend here; client CN=legacy-client");
        }
    }

    [Fact]
    public async Task Passthrough_BackendRequiresClientCertificate_NoCertificateRefusedByBackend()
    {
        await using var backend = await TlsBackend.StartAsync(Greet, requireClientCertificate: true);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        string? line = null;
        try
        {
            var (tls, _) = await PassthroughSetup.ConnectTlsAsync(host.Port(), "legacy.partner.test", backend.Root);
            await using (tls)
            {
                line = await PassthroughSetup.ReadLineAsync(tls);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // TLS 1.2 refuses in the handshake; TLS 1.3 after it: either way no greeting
        }

        line.Should().BeNull("the backend, not the gateway, requires the client certificate");
        await host.Logs.WaitForAsync("PassthroughClosed");
    }

    [Theory]
    [InlineData(100_000)] // one record, one byte per TCP segment
    [InlineData(100)]     // the SNI in the hello's second record (SniSourceTests: the same hello to a terminated host)
    [InlineData(64)]      // the hello split over many TLS records, each byte its own segment
    public async Task Passthrough_HelloFragmentedByteByByte_HandshakeCompletesWithBackend(int recordPayload)
    {
        await using var backend = await TlsBackend.StartAsync(Greet);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        var (tls, seen) = await PassthroughSetup.ConnectTlsAsync(host.Port(), "legacy.partner.test", backend.Root, fragmentRecords: recordPayload);
        await using (tls)
        {
            seen.Thumbprint.Should().Be(backend.ServerCertificate.Thumbprint);
            (await PassthroughSetup.ReadLineAsync(tls)).Should().Be("backend here; client anonymous");
        }

        LogSink.Property(await host.Logs.WaitForAsync("PassthroughOpened"), "Sni").Should().Be("legacy.partner.test");
    }

    [Fact]
    public async Task Gateway_HelloFragmentedByteByByte_TerminatedWithGatewayCertificate()
    {
        await using var backend = await TlsBackend.StartAsync(Greet);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));
        var gatewayRoot = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(host.Pki("partners-root.crt"));

        var (tls, seen) = await PassthroughSetup.ConnectTlsAsync(host.Port(), "localhost", gatewayRoot, fragmentRecords: 100_000);
        await using (tls)
        {
            seen.Subject.Should().StartWith("CN=localhost", "a host that is not passthrough gets the gateway's own TLS, peeked bytes intact");
        }

        host.Logs.Named("PassthroughOpened").Should().BeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a.b.legacy.test")] // the wildcard stands for one label only
    [InlineData("localhost")]
    public async Task Passthrough_HostNotPassthrough_GoesToGatewayTlsWithItsCertificate(string? sni)
    {
        await using var backend = await TlsBackend.StartAsync(Greet);
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), sni, host.ClientCertificate("client"));

        outcome.ServerCertificate.Should().NotBeNull();
        outcome.ServerCertificate!.Subject.Should().StartWith("CN=localhost", "the gateway's default certificate, not the backend's");
        host.Logs.Named("PassthroughOpened").Should().BeEmpty();
    }
}
