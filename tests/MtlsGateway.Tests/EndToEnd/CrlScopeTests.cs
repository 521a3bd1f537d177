using System.Net;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A CRL's Issuing Distribution Point through a real gateway: a CRL scoped to CA certificates clears no client.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CrlScopeTests
{
    [Fact]
    public async Task StrictHost_WhenTheIssuersOnlyCrlCoversCaCertificates_RefusesWithRevocationUnknown()
    {
        await using var host = await GatewayTestHost.StartAsync((_, dir) => ScopeIssuingCrlToCaCertificates(dir));

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", host.ClientCertificate("client"));

        outcome.Completed.Should().BeFalse();
        var refused = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(refused, "Reason").Should().Be("RevocationUnknown");
        LogSink.Property(refused, "Hint").Should().Contain("covers only CA certificates (Issuing Distribution Point onlyContainsCACerts)");
    }

    [Fact]
    public async Task MixedHost_WhenTheIssuersOnlyCrlCoversCaCertificates_AnswersForbidden()
    {
        await using var host = await GatewayTestHost.StartAsync((_, dir) => ScopeIssuingCrlToCaCertificates(dir));
        using var client = host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/orders/1");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"RevocationUnknown\"");
    }

    /// <summary>Replaces the issuing CA's CRL (pki/partners.crl) with one whose IDP says onlyContainsCACerts.</summary>
    private static void ScopeIssuingCrlToCaCertificates(string directory)
    {
        using var intermediate = TestPkiDirectory.Load(Path.Combine(directory, "pki"), "partners-intermediate");
        var now = DateTimeOffset.UtcNow;
        var crl = TestCrl.Sign(intermediate, now.AddHours(-1), now.AddDays(7), extensions: TestCrl.IssuingDistributionPoint(onlyCa: true));
        File.WriteAllText(Path.Combine(directory, "pki", "partners.crl"), CertificateAuthority.CrlToPem(crl));
    }
}
