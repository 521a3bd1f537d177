using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Several partners on one route, each verified by its own trust store and allowlist, over real TLS (issue 22): each
/// is admitted as itself; one partner's CA never vouches for another partner's names; refusals say what each
/// partner's store and allowlist said.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PartnersTests(PartnersFixture fixture) : IClassFixture<PartnersFixture>
{
    private readonly GatewayTestHost _host = fixture.Host;
    private readonly PartnerPkis _pkis = fixture.Pkis;

    public static TheoryData<string, string, string> Admitted => new()
    {
        { "orders.partner.test", "acme", "1.1" },
        { "orders.partner.test", "acme", "2.0" },
        { "orders.partner.test", "globex", "1.1" },
        { "orders.partner.test", "globex", "2.0" },
        { "orders.partner.test", "initech", "1.1" },
        { "orders.partner.test", "initech", "2.0" },
        { "billing.partner.test", "acme", "1.1" },
        { "billing.partner.test", "globex", "2.0" },
    };

    private IssuedCertificate ClientOf(string host, string partner) => (host, partner) switch
    {
        ("billing.partner.test", "acme") => _pkis.AcmeBilling,
        ("billing.partner.test", _) => _pkis.GlobexBilling,
        (_, "acme") => _pkis.AcmeClient,
        (_, "globex") => _pkis.GlobexClient,
        _ => _pkis.InitechClient,
    };

    [Theory]
    [MemberData(nameof(Admitted))]
    public async Task PartnersClient_IsAdmittedAsThatPartner(string host, string partner, string version)
    {
        using var client = _host.CreateClientWith(host, _pkis.Context(ClientOf(host, partner)), version: Version.Parse(version));

        var response = await client.GetAsync("/orders/1");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Version.Should().Be(Version.Parse(version));
        var headers = await IdentityHeadersFixture.EchoHeadersAsync(response);
        headers["X-Client-Cert-Verified"].Should().Be("SUCCESS");
        headers["X-Client-Cert-Partner"].Should().Be(partner);
        headers["X-Client-Cert-Policy"].Should().Be(host.StartsWith("billing", StringComparison.Ordinal) ? "billing" : "orders");
    }

    [Fact]
    public async Task Impostor_PartnerBsCaWithPartnerAsName_IsRefusedInTheHandshakeNamingBoth()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "orders.partner.test", _pkis.Context(_pkis.Impostor));

        outcome.Completed.Should().BeFalse();
        var logged = await RefusalOfAsync("HandshakeFailed", _pkis.Impostor);
        LogSink.Property(logged, "Reason").Should().Be("NotAllowed");
        LogSink.Property(logged, "Partner").Should().Be("globex");
        LogSink.Property(logged, "TrustStore").Should().Be("globex");
        LogSink.Property(logged, "Hint").Should().Contain("verified by partner globex's trust store 'globex'")
            .And.Contain("CN acme-orders is allowed only for partner acme, whose trust store 'acme' holds none of the certificate's issuers");
    }

    [Fact]
    public async Task Impostor_OnAMixedHost_IsRefusedAtTheRequestAndNeverReachesTheBackend()
    {
        using var client = _host.CreateClientWith("localhost", _pkis.Context(_pkis.Impostor));

        var response = await client.GetAsync("/p/orders");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"NotAllowed\"");
        var logged = await RefusalOfAsync("RequestRejected", _pkis.Impostor);
        LogSink.Property(logged, "Partner").Should().Be("globex");
        LogSink.Property(logged, "Hint").Should().Contain("allowed only for partner acme");
    }

    [Fact]
    public async Task AllowedForNobody_IsRefusedNotAllowedSayingNoPartnerAllowsIt()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "orders.partner.test", _pkis.Context(_pkis.Nobody));

        outcome.Completed.Should().BeFalse();
        var logged = await RefusalOfAsync("HandshakeFailed", _pkis.Nobody);
        LogSink.Property(logged, "Reason").Should().Be("NotAllowed");
        LogSink.Property(logged, "Hint").Should().Contain("partner 'globex' of policy 'orders' Allow.Uris")
            .And.Contain("no partner of policy 'orders' allows it");
    }

    [Fact]
    public async Task CaOfNoPartner_IsRefusedWithoutNamingAStoreThatHoldsIt()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "orders.partner.test", _pkis.Context(_pkis.UnknownCa));

        outcome.Completed.Should().BeFalse();
        var logged = await RefusalOfAsync("HandshakeFailed", _pkis.UnknownCa);
        LogSink.Property(logged, "Reason").Should().Be("PartialChain");
        LogSink.Property(logged, "Partner").Should().BeNull();
        LogSink.Property(logged, "Hint").Should().Contain("is in the trust store of no partner of policy 'orders' (acme: 'acme', globex: 'globex', initech: 'initech')")
            .And.Contain("CN acme-orders is allowed only for partner acme");
    }

    [Fact]
    public async Task RevokedInItsPartnersCrl_IsRefusedRevokedByThatPartner()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "orders.partner.test", _pkis.Context(_pkis.GlobexRevoked));

        outcome.Completed.Should().BeFalse();
        var logged = await RefusalOfAsync("HandshakeFailed", _pkis.GlobexRevoked);
        LogSink.Property(logged, "Reason").Should().Be("Revoked");
        LogSink.Property(logged, "Partner").Should().Be("globex");
        LogSink.Property(logged, "Hint").Should().StartWith("partner globex's trust store 'globex' refused it:");
    }

    [Fact]
    public async Task Handshake_AdvertisesEveryPartnersCaNames()
    {
        var result = await ProcessRunner.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_host.Port()}", "-servername", "orders.partner.test"], TimeSpan.FromSeconds(30));

        result.Output.Should().Contain("Acceptable client certificate CA names")
            .And.Contain("Acme Root CA").And.Contain("Globex Root CA").And.Contain("Globex Issuing CA").And.Contain("Initech Issuing CA");
    }

    [Fact]
    public async Task InboundPartnerHeader_InAnySpelling_IsReplacedByTheAdmittingPartner()
    {
        using var client = _host.CreateClientWith("orders.partner.test", _pkis.Context(_pkis.AcmeClient));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1");
        request.Headers.TryAddWithoutValidation("X-Client-Cert-Partner", "initech");
        request.Headers.TryAddWithoutValidation("x_client_cert_partner", "initech");

        var response = await client.SendAsync(request);

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(response);
        headers["X-Client-Cert-Partner"].Should().Be("acme");
        headers.Keys.Should().NotContain(k => k.Contains('_', StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdmittedRequest_LogsAndCountsItsPartner()
    {
        using var client = _host.CreateClientWith("orders.partner.test", _pkis.Context(_pkis.InitechClient));
        (await client.GetAsync("/orders/log")).StatusCode.Should().Be(HttpStatusCode.OK);
        await TlsProbe.HandshakeAsync(_host.Port(), "orders.partner.test", _pkis.Context(_pkis.Impostor));
        await RefusalOfAsync("HandshakeFailed", _pkis.Impostor);

        var completed = await _host.Logs.WaitForAsync("RequestCompleted", e => LogSink.Property(e, "Path") == "/orders/log");
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_host.AdminPort}/") };
        var metrics = await admin.GetStringAsync("/metrics");

        LogSink.Property(completed, "Partner").Should().Be("initech");
        metrics.Split('\n').Should().Contain(l => l.StartsWith("mtls_gateway_refusals", StringComparison.Ordinal)
            && l.Contains("partner=\"globex\"", StringComparison.Ordinal) && l.Contains("reason=\"NotAllowed\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfigEndpoint_ShowsEachPolicysPartners()
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_host.AdminPort}/") };

        using var config = JsonDocument.Parse(await admin.GetStringAsync("/config"));

        var orders = config.RootElement.GetProperty("policies").GetProperty("orders");
        orders.GetProperty("partners").EnumerateObject().Select(p => (p.Name, p.Value.GetProperty("trustStore").GetString()))
            .Should().Equal(("acme", "acme"), ("globex", "globex"), ("initech", "initech"));
        config.RootElement.GetProperty("policies").GetProperty("acme-orders").GetProperty("trustStore").GetString().Should().Be("partners");
    }

    private Task<Serilog.Events.LogEvent> RefusalOfAsync(string eventName, IssuedCertificate certificate)
    {
        var sha256 = certificate.Certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return _host.Logs.WaitForAsync(eventName, e => string.Equals(LogSink.Property(e, "CertSha256"), sha256, StringComparison.OrdinalIgnoreCase));
    }
}
