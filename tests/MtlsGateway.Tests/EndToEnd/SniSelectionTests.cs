using System.Net.Security;
using System.Text.Json.Nodes;
using MtlsGateway.Identity;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The server certificate follows the ClientHello's SNI: exact name, then one-label wildcard, then the default.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SniSelectionTests
{
    [Theory]
    [InlineData("localhost", "CN=localhost")]
    [InlineData("api.partner.test", "CN=localhost")]
    [InlineData("exact.other.test", "CN=exact.other.test")]
    [InlineData("unknown.example", "CN=fallback.test")]
    [InlineData(null, "CN=fallback.test")]
    public async Task Handshake_Sni_SelectsCertificate(string? sni, string expectedSubject)
    {
        await using var host = await GatewayTestHost.StartAsync((config, dir) =>
        {
            var certificates = (JsonArray)config["Gateway"]!["ServerCertificates"]!;
            certificates[0]!["Default"] = false;
            certificates.Add(ServerCertificateEntry(dir, "exact", "exact.other.test", isDefault: false));
            certificates.Add(ServerCertificateEntry(dir, "fallback", "fallback.test", isDefault: true));
        });

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), sni, host.ClientCertificate("client"));

        outcome.ServerCertificate.Should().NotBeNull();
        outcome.ServerCertificate!.Subject.Should().StartWith(expectedSubject);
    }

    [Fact]
    public async Task Handshake_UnknownSniWithoutDefault_IsRefusedUnknownHost()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["ServerCertificates"]![0]!["Default"] = false);

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "nobody.example", host.ClientCertificate("client"));

        outcome.Completed.Should().BeFalse();
        outcome.ServerCertificate.Should().BeNull("no certificate is served for an unknown name");
        var logged = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("UnknownHost");
        LogSink.Property(logged, "Sni").Should().Be("nobody.example");
    }

    [Fact]
    public async Task Handshake_WildcardIsOneLabel_DeeperNameGetsDefault()
    {
        await using var host = await GatewayTestHost.StartAsync((config, dir) =>
        {
            var certificates = (JsonArray)config["Gateway"]!["ServerCertificates"]!;
            certificates[0]!["Default"] = false;
            certificates.Add(ServerCertificateEntry(dir, "fallback", "fallback.test", isDefault: true));
        });

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "a.b.partner.test", host.ClientCertificate("client"));

        outcome.ServerCertificate!.Subject.Should().StartWith("CN=fallback.test");
    }

    [Fact]
    public async Task Handshake_Alpn_NegotiatesHttp2()
    {
        await using var host = await GatewayTestHost.StartAsync();

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "localhost", host.ClientCertificate("client"),
            [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);

        outcome.Alpn.Should().Be("h2");
    }

    private static JsonObject ServerCertificateEntry(string directory, string name, string host, bool isDefault)
    {
        using var root = TestPkiDirectory.Load(Path.Combine(directory, "pki"), "partners-root");
        var now = DateTimeOffset.UtcNow;
        using var issued = CertificateAuthority.Issue(root, new CertificateSpec
        {
            Subject = "CN=" + host,
            NotBefore = now.AddHours(-1),
            NotAfter = now.AddDays(1),
            DnsNames = [host],
            ExtendedKeyUsages = [Oids.ServerAuth],
            Key = KeyKind.Rsa2048, // RSA beside the ECDSA dev certificate: both key types serve
        });
        File.WriteAllText(Path.Combine(directory, name + ".crt"), issued.CertificatePem);
        File.WriteAllText(Path.Combine(directory, name + ".key"), issued.KeyPem);
        return new JsonObject
        {
            ["Hosts"] = new JsonArray(host),
            ["CertificateFile"] = name + ".crt",
            ["KeyFile"] = name + ".key",
            ["Default"] = isDefault,
        };
    }
}
