using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Hostile client certificates against a real gateway, with curl as the client: refused in the TLS handshake on a
/// Strict-only host and at the request on a mixed host, each with its contract Reason and a hint that names the flaw;
/// the two that are legitimate (a SAN-only identity, a chain exactly at the depth limit) are admitted.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class HostileCertificateTests(HostileGatewayFixture fixture) : IClassFixture<HostileGatewayFixture>
{
    private GatewayTestHost Host => fixture.Host;

    public static TheoryData<HostileClient, string, string> Refused => new()
    {
        { HostileClient.Rsa1024Key, "BadSignature", "RSA key of 1024 bits is below trust store 'partners' MinimumRsaKeySize 2048" },
        { HostileClient.Sha1Signature, "BadSignature", "signature algorithm sha1RSA is not allowed" },
        { HostileClient.Md5Signature, "BadSignature", "signature algorithm md5RSA is not allowed" },
        { HostileClient.UnknownCriticalExtension, "WrongUsage", $"carries critical extension {HostileExtensions.UnknownOid}, which the gateway does not understand" },
        { HostileClient.NameConstraintViolation, "UntrustedIssuer", "DNS orders.acme.test is not within any permitted subtree (DNS partner-a.test) in the name constraints of issuing CA CN=Hostile Constrained CA" },
        { HostileClient.PathLengthViolation, "UntrustedIssuer", "CA CN=MtlsGateway Dev Partners Issuing CA,O=MtlsGateway Dev allows 0 CA certificates below it (pathLenConstraint 0)" },
        { HostileClient.IssuerNotCa, "UntrustedIssuer", "CN=Hostile Not-A-CA,O=MtlsGateway Dev issued CN=acme-orders-client,O=Acme but is not a CA certificate" },
        { HostileClient.ServerAuthOnly, "WrongUsage", "extended key usage has no clientAuth" },
        { HostileClient.ChainTooDeep, "UntrustedIssuer", $"has 3 intermediate CA certificates, more than trust store 'partners' MaxChainDepth {HostilePki.MaxChainDepth}" },
        { HostileClient.Oversized, "BadSignature", "larger than trust store 'partners' MaxCertificateSize 16384" },
        { HostileClient.WrongIssuerKey, "BadSignature", "is known to trust store 'partners' but its key did not sign" },
    };

    public static TheoryData<HostileClient> Admitted => [HostileClient.SanOnlyEmptySubject, HostileClient.ChainAtMaxDepth];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Handshake_HostileCertificateOnStrictHost_IsRefusedWithReasonAndHint(HostileClient client, string reason, string hint)
    {
        var response = await Get("strict.partner.test", "/anything", client);

        response.Status.Should().Be(0, "the handshake itself refuses: no HTTP response at all ({0})", response.Error);
        var sha256 = CurlProbe.LeafSha256(Host.Pki(""), HostilePki.FileOf(client));
        var logged = await Host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "CertSha256") == sha256);
        LogSink.Property(logged, "Reason").Should().Be(reason);
        LogSink.Property(logged, "Hint").Should().Contain(hint);
        LogSink.Property(logged, "Policy").Should().Be("acme-orders");
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Request_HostileCertificateOnMixedHost_Gets403WithReasonAndHint(HostileClient client, string reason, string hint)
    {
        var response = await Get("localhost", "/orders/1", client);

        response.Status.Should().Be(403, response.Error);
        response.Body.Should().Contain($"\"reason\":\"{reason}\"");
        var sha256 = CurlProbe.LeafSha256(Host.Pki(""), HostilePki.FileOf(client));
        var logged = await Host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "CertSha256") == sha256);
        LogSink.Property(logged, "Reason").Should().Be(reason);
        LogSink.Property(logged, "Hint").Should().Contain(hint);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Check_HostileCertificate_SaysWhatTheGatewayLogs(HostileClient client, string reason, string hint)
    {
        using var output = new StringWriter();

        var code = MtlsGateway.Cli.CheckCommand.Execute(Host.ConfigPath, "acme-orders", Host.Pki(HostilePki.FileOf(client) + ".crt"), null, null, output);

        code.Should().NotBe(0, output.ToString());
        output.ToString().Should().Contain($"refused: {reason}").And.Contain(hint);
    }

    [Theory]
    [MemberData(nameof(Admitted))]
    public async Task Handshake_LegitimateEdgeCaseOnStrictHost_ReachesBackend(HostileClient client)
    {
        var response = await Get("strict.partner.test", "/anything", client);

        response.Status.Should().Be(200, response.Error);
        response.Body.Should().Contain("\"X-Client-Cert-Verified\": \"SUCCESS\"");
    }

    [Fact]
    public async Task Request_SanOnlyCertificateWithEmptySubject_IsIdentifiedByItsUri()
    {
        var response = await Get("localhost", "/orders/1", HostileClient.SanOnlyEmptySubject);

        response.Status.Should().Be(200, response.Error);
        var headers = JsonNode.Parse(response.Body)!["headers"]!;
        headers["X-Client-Cert-Verified"]!.GetValue<string>().Should().Be("SUCCESS");
        headers["X-Client-Cert-Subject"]!.GetValue<string>().Should().BeEmpty();
        headers["X-Client-Cert-Uri"]!.GetValue<string>().Should().Be("spiffe://acme.test/orders/san-only");
        headers["X-Forwarded-Client-Cert"]!.GetValue<string>().Should().EndWith(";Subject=\"\";URI=spiffe://acme.test/orders/san-only");
    }

    [Fact]
    public async Task Handshake_CertificateOver64KiB_IsRefusedByTheTlsLayerBeforeTheVerifier()
    {
        var strict = await Get("strict.partner.test", "/anything", HostileClient.OversizedBeyondTls);
        var mixed = await Get("localhost", "/orders/1", HostileClient.OversizedBeyondTls);

        strict.Status.Should().Be(0, "OpenSSL under SslStream fails the handshake with an internal_error alert ({0})", strict.Error);
        mixed.Status.Should().Be(0, "the same happens on a mixed host, before any request ({0})", mixed.Error);
        var logged = await Host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "Sni") == "strict.partner.test" && LogSink.Property(e, "CertSha256") is null);
        LogSink.Property(logged, "Hint").Should().Contain("internal error");
    }

    private Task<CurlProbe.Response> Get(string host, string path, HostileClient client) =>
        CurlProbe.GetAsync(Host.Port(), host, path, Host.Pki(""), HostilePki.FileOf(client), Host.Pki("partners-root.crt"));
}
