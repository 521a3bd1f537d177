using System.Net;
using System.Net.Security;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary><c>Revocation: Online</c>, last step: a partner's issuing CA that publishes no CRL but names an OCSP responder
/// in its certificates' Authority Information Access. The responder is a real <c>openssl ocsp</c> on loopback behind a
/// counting proxy the test controls (so certificates can name its URL before openssl picks its port), the clients are
/// real TLS clients through the gateway.</summary>
[Trait("Category", "EndToEnd")]
public sealed class OcspRevocationGatewayTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly IssuedCertificate _issuing;

    public OcspRevocationGatewayTests() => _issuing = _pki.IssueCa("CN=Ocsp Issuing CA, O=Partner", _pki.Root);

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task GoodAdmitted_RevokedRefusedRevoked_UnknownSerialRevocationUnknown_ShownByApiAndMetrics()
    {
        await using var proxy = await CountingOcspProxy.StartAsync();
        var good = Client("good", proxy.Url);
        var revoked = Client("revoked", proxy.Url);
        var stranger = Client("stranger", proxy.Url);
        await using var responder = await StartResponderAsync("main", proxy, good: [good], revoked: [revoked]);
        await using var host = await StartAsync();

        var admitted = await GetAsync(host, good);
        var refused = await GetAsync(host, revoked);
        var unknown = await GetAsync(host, stranger);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        var answers = JsonNode.Parse(await admin.GetStringAsync("/api/revocation"))!["ocsp"]!.AsArray();
        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);

        admitted.Status.Should().Be(HttpStatusCode.OK, admitted.Body);
        refused.Body.Should().Contain("\"reason\":\"Revoked\"");
        (await HintAsync(host, "revoked")).Should().Contain("revoked on ").And.Contain("(reason keyCompromise) according to the OCSP responder " + proxy.Url);
        unknown.Body.Should().Contain("\"reason\":\"RevocationUnknown\"");
        (await HintAsync(host, "stranger")).Should().Contain($"the OCSP responder {proxy.Url} answers 'unknown'");
        answers.Select(a => (string?)a!["status"]).Should().BeEquivalentTo(["good", "revoked", "unknown"]);
        var goodAnswer = answers.Single(a => (string?)a!["serial"] == Convert.ToHexString(good.Certificate.SerialNumberBytes.Span))!;
        ((string?)goodAnswer["issuer"]).Should().Contain("Ocsp Issuing CA");
        goodAnswer["nextUpdate"].Should().NotBeNull();
        metrics.Sum("mtls_gateway_ocsp_requests_total", ("trust_store", "partners"), ("result", "good")).Should().Be(1);
        metrics.Sum("mtls_gateway_ocsp_requests_total", ("trust_store", "partners"), ("result", "revoked")).Should().Be(1);
        metrics.Sum("mtls_gateway_ocsp_requests_total", ("trust_store", "partners"), ("result", "unknown")).Should().Be(1);
    }

    [Fact]
    public async Task ResponderSignedByUnrelatedKey_RevocationUnknown_HintSaysUnauthorised()
    {
        using var rogue = TestPki.CreateRoot("CN=Rogue Responder, O=Elsewhere", _pki.Now);
        await using var proxy = await CountingOcspProxy.StartAsync();
        var client = Client("rogue-signed", proxy.Url);
        await using var responder = await StartResponderAsync("rogue", proxy, signer: rogue, good: [client]);
        await using var host = await StartAsync();

        var result = await GetAsync(host, client);

        result.Body.Should().Contain("\"reason\":\"RevocationUnknown\"");
        (await HintAsync(host, "rogue-signed")).Should().Contain("signed its answer as CN=Rogue Responder")
            .And.Contain("not authorised to answer for CN=Ocsp Issuing CA");
    }

    [Fact]
    public async Task DelegatedResponder_WithOcspSigningUsage_Admitted_WithoutIt_Refused()
    {
        var delegated = Responder("CN=Ocsp Responder, O=Partner", OcspAnswerCheck.OcspSigningOid);
        var lacking = Responder("CN=Client Cert As Responder, O=Partner", Oids.ClientAuth);
        await using var proxy = await CountingOcspProxy.StartAsync();
        await using var lackingProxy = await CountingOcspProxy.StartAsync();
        var viaDelegated = Client("via-delegated", proxy.Url);
        var viaLacking = Client("via-lacking", lackingProxy.Url);
        await using var responder = await StartResponderAsync("delegated", proxy, signer: delegated, good: [viaDelegated]);
        await using var lackingResponder = await StartResponderAsync("lacking", lackingProxy, signer: lacking, good: [viaLacking]);
        await using var host = await StartAsync();

        var admitted = await GetAsync(host, viaDelegated);
        var refused = await GetAsync(host, viaLacking);

        admitted.Status.Should().Be(HttpStatusCode.OK, admitted.Body);
        refused.Body.Should().Contain("\"reason\":\"RevocationUnknown\"");
        (await HintAsync(host, "via-lacking")).Should().Contain("lacks extended key usage OCSPSigning (1.3.6.1.5.5.7.3.9)");
    }

    [Fact]
    public async Task HungResponder_HandshakeRefusedWithinTimeout_WhileAnotherClientIsAnswered()
    {
        await using var proxy = await CountingOcspProxy.StartAsync();
        proxy.Hang = true;
        var hung = Client("hung", proxy.Url);
        await using var host = await StartAsync(timeout: "00:00:04");

        var failed = await HungRevocationSource.HoldsOnlyItsOwnHandshakeAsync(host, Context(hung), () => proxy.NextRequest);

        LogSink.Property(failed, "Hint").Should().Contain("no current OCSP answer").And.Contain(proxy.Url);
    }

    [Fact]
    public async Task Answer_Cached_SecondVerificationDoesNotAsk_RefreshedBeforeNextUpdateForACertificateSeenSince()
    {
        var time = new FakeTimeProvider(_pki.Now);
        await using var proxy = await CountingOcspProxy.StartAsync();
        var good = Client("cached", proxy.Url);
        await using var responder = await StartResponderAsync("cached", proxy, good: [good], validMinutes: 10);
        await using var host = await StartAsync(time: time);

        var first = await GetAsync(host, good, sendIssuing: true);
        var afterFirst = proxy.Requests;
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await GetAsync(host, good, sendIssuing: false); // another chain: the verdict cache misses, the answer cache serves
        var afterSecond = proxy.Requests;
        var refreshed = proxy.NextRequest;
        time.Advance(TimeSpan.FromMinutes(8)); // past 80 % of the answer's ten minutes (less jitter), before its nextUpdate
        await refreshed.WaitAsync(TimeSpan.FromSeconds(30));

        first.Status.Should().Be(HttpStatusCode.OK, first.Body);
        second.Status.Should().Be(HttpStatusCode.OK, second.Body);
        afterFirst.Should().Be(1);
        afterSecond.Should().Be(1, "the answer is cached until its nextUpdate");
        (await host.Logs.WaitForAsync("OcspAnswered", _ => host.Logs.Named("OcspAnswered").Count == 2)).Should().NotBeNull();
    }

    [Fact]
    public async Task CrlInCrlFiles_TakesPrecedence_AndAnUnverifiedChain_NeverMakesTheGatewayAsk()
    {
        await using var proxy = await CountingOcspProxy.StartAsync();
        var client = Client("crl-first", proxy.Url);
        using var foreignRoot = TestPki.CreateRoot("CN=Foreign Root, O=Elsewhere", _pki.Now);
        var foreignIssuing = _pki.IssueCa("CN=Ocsp Issuing CA, O=Partner", foreignRoot); // same name as ours, another key
        var forged = Client("forged", proxy.Url, foreignIssuing);
        await using var responder = await StartResponderAsync("precedence", proxy, revoked: [client]);
        await using var host = await StartAsync(issuingCrlFile: true);

        var admitted = await GetAsync(host, client);
        using var forgedHttp = host.CreateClientWith("localhost", SslStreamCertificateContext.Create(forged.Certificate, [foreignIssuing.PublicOnly()], offline: true));
        var forgedResponse = await forgedHttp.GetAsync("/orders/1");

        admitted.Status.Should().Be(HttpStatusCode.OK, "the issuing CA's CRL in CrlFiles does not list it; OCSP is not asked");
        forgedResponse.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await forgedResponse.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"PartialChain\"");
        proxy.Requests.Should().Be(0);
    }

    [Fact]
    public async Task Offline_NeverAsksTheResponder_AndRunLogsValidatesWarningAtStartAndAfterReload()
    {
        await using var proxy = await CountingOcspProxy.StartAsync();
        var client = Client("offline", proxy.Url);
        await using var responder = await StartResponderAsync("offline", proxy, good: [client]);
        await using var host = await StartAsync(revocation: "Offline");

        var result = await GetAsync(host, client);
        var atStart = host.Logs.Named("TrustStoreWarning").ToList();
        await host.EditConfigAsync(c => c["Gateway"]!["TrustStores"]!["partners"]!["ClockSkew"] = "00:02:00");
        await host.WaitForReloadAsync(2);
        await host.Logs.WaitForAsync("TrustStoreWarning", _ => host.Logs.Named("TrustStoreWarning").Count >= 2 * atStart.Count);
        var afterReload = host.Logs.Named("TrustStoreWarning").Skip(atStart.Count).ToList();

        result.Body.Should().Contain("\"reason\":\"RevocationUnknown\"");
        proxy.Requests.Should().Be(0);
        atStart.Should().ContainSingle(e => LogSink.Property(e, "Warning")!.Contains("certificates issued by CN=Ocsp Issuing CA", StringComparison.Ordinal));
        var warning = atStart.Single(e => LogSink.Property(e, "Warning")!.Contains("CN=Ocsp Issuing CA", StringComparison.Ordinal));
        LogSink.Property(warning, "TrustStore").Should().Be("partners");
        LogSink.Property(warning, "Path").Should().Be("Gateway:TrustStores:partners:CrlFiles");
        warning.Level.Should().Be(Serilog.Events.LogEventLevel.Warning);
        afterReload.Should().Contain(e => LogSink.Property(e, "Warning") == LogSink.Property(warning, "Warning"));
    }

    private Task<OpensslOcspResponder> StartResponderAsync(string name, CountingOcspProxy proxy, IssuedCertificate? signer = null,
        IEnumerable<IssuedCertificate>? good = null, IEnumerable<IssuedCertificate>? revoked = null, int? validMinutes = 60) =>
        StartAndLinkAsync(OpensslOcspResponder.StartAsync(Path.Combine(_pki.Directory, "ocsp-" + name), _issuing, signer, good, revoked, validMinutes), proxy);

    private static async Task<OpensslOcspResponder> StartAndLinkAsync(Task<OpensslOcspResponder> starting, CountingOcspProxy proxy)
    {
        var responder = await starting;
        proxy.Upstream = responder.Url;
        return responder;
    }

    private async Task<GatewayTestHost> StartAsync(string revocation = "Online", string timeout = "00:00:05", bool issuingCrlFile = false, FakeTimeProvider? time = null)
    {
        var rootPem = _pki.WritePem("ocsp-root.pem", _pki.Root);
        var issuingPem = _pki.WritePem("ocsp-issuing.pem", _issuing);
        var rootCrl = _pki.WriteCrl("ocsp-root.crl", _pki.Root);
        var issuingCrl = issuingCrlFile ? _pki.WriteCrl("ocsp-issuing.crl", _issuing) : null;
        return await GatewayTestHost.StartAsync(
            (config, _) =>
            {
                var partners = config["Gateway"]!["TrustStores"]!["partners"]!;
                partners["CaFiles"]!.AsArray().Add(rootPem);
                partners["CaFiles"]!.AsArray().Add(issuingPem);
                partners["CrlFiles"]!.AsArray().Add(rootCrl);
                if (issuingCrl is not null)
                {
                    partners["CrlFiles"]!.AsArray().Add(issuingCrl);
                }

                partners["Revocation"] = revocation;
                partners["RevocationTimeout"] = timeout;
                if (time is not null)
                {
                    config["Gateway"]!["Reload"]!["Enabled"] = false; // the reload poll runs on the same clock
                }
            },
            time);
    }

    /// <summary>A client the acme-orders policy allows by name, issued by the OCSP-only CA, naming <paramref name="responder"/>.</summary>
    private IssuedCertificate Client(string name, string responder, IssuedCertificate? issuer = null) =>
        _pki.IssueClient("acme-orders-client", s => s with
        {
            Subject = $"CN=acme-orders-client, OU={name}, O=Partner, C=US",
            OcspUrls = [responder],
        }, issuer ?? _issuing);

    /// <summary>A delegated responder certificate issued by the OCSP-only CA with the given extended key usage.</summary>
    private IssuedCertificate Responder(string subject, string usage) => _pki.Own(CertificateAuthority.Issue(_issuing, new CertificateSpec
    {
        Subject = subject,
        NotBefore = _pki.Now.AddDays(-1),
        NotAfter = _pki.Now.AddDays(1),
        ExtendedKeyUsages = [usage],
    }));

    private SslStreamCertificateContext Context(IssuedCertificate client, bool sendIssuing = true) =>
        SslStreamCertificateContext.Create(client.Certificate, sendIssuing ? [_issuing.PublicOnly()] : [], offline: true);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(GatewayTestHost host, IssuedCertificate client, bool sendIssuing = true)
    {
        using var http = host.CreateClientWith("localhost", Context(client, sendIssuing));
        var response = await http.GetAsync("/orders/1");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> HintAsync(GatewayTestHost host, string name)
    {
        var rejected = await host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "CertSubject")?.Contains($"OU={name}", StringComparison.Ordinal) == true);
        return LogSink.Property(rejected, "Hint")!;
    }
}
