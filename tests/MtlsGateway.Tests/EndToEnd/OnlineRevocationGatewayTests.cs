using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary><c>Revocation: Online</c> through a real gateway: a partner CA whose issuing CA publishes its CRL on a
/// loopback HTTP server (the root's CRL is a file: files come first), real TLS clients, the admin listener.</summary>
[Trait("Category", "EndToEnd")]
public sealed class OnlineRevocationGatewayTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _pki = new();
    private CrlDistributionServer _server = null!;
    private IssuedCertificate _issuing = null!;

    public async Task InitializeAsync()
    {
        _server = await CrlDistributionServer.StartAsync();
        _issuing = _pki.IssueCa("CN=Online Issuing CA, O=Partner", _pki.Root);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task FirstSightFetched_Cached_RefreshedBeforeNextUpdate_ServedWhileDown_UnknownAfterNextUpdate()
    {
        var time = new FakeTimeProvider(_pki.Now);
        var good = Client("good");
        var revoked = Client("revoked");
        var thisUpdate = _pki.Now.AddMinutes(-10);
        _server.Publish("issuing.crl", CertificateAuthority.CreateCrl(_issuing, [revoked.Certificate.SerialNumberBytes.ToArray()], thisUpdate, thisUpdate.AddHours(1), 1));
        await using var host = await StartAsync(time, "cache/crls");

        var first = await GetAsync(host, good);
        var refused = await GetAsync(host, revoked);
        var requestsAfterFirstSight = _server.Requests;

        time.Advance(TimeSpan.FromMinutes(39)); // past 80 % of the CRL's hour (less jitter): the background refresh asks
        await host.Logs.WaitForAsync("CrlFetched", e => LogSink.Property(e, "NotModified") == "True");
        _server.Mode = CrlDistributionServer.Behaviour.Down;
        time.Advance(TimeSpan.FromMinutes(10)); // a minute before nextUpdate
        var whileDown = await GetAsync(host, good);
        time.Advance(TimeSpan.FromMinutes(3)); // nextUpdate + ClockSkew passed
        var afterNextUpdate = await GetAsync(host, good);

        first.Status.Should().Be(HttpStatusCode.OK, first.Body);
        refused.Body.Should().Contain("\"reason\":\"Revoked\"");
        requestsAfterFirstSight.Should().Be(1, "one fetch serves every certificate of the issuer; the root's CRL is a file");
        whileDown.Status.Should().Be(HttpStatusCode.OK, whileDown.Body);
        afterNextUpdate.Body.Should().Contain("\"reason\":\"RevocationUnknown\"");
        Directory.GetFiles(Path.Combine(host.Directory, "cache", "crls"), "*.json").Should().ContainSingle("CrlCacheFolder is relative to the config file");
    }

    [Fact]
    public async Task HungDistributionPoint_HandshakeRefusedWithinTimeout_WhileAnotherClientIsAnswered()
    {
        var hung = Client("hung");
        _server.Mode = CrlDistributionServer.Behaviour.Hang;
        await using var host = await StartAsync(time: null, cacheFolder: null, timeout: "00:00:04");

        var failed = await HungRevocationSource.HoldsOnlyItsOwnHandshakeAsync(host, Context(hung), () => _server.NextRequest);

        LogSink.Property(failed, "Hint").Should().Contain(_server.Url("issuing.crl"));
    }

    [Fact]
    public async Task CacheFolder_SurvivesRestart_WithoutRefetching()
    {
        var good = Client("good");
        _server.Publish("issuing.crl", CertificateAuthority.CreateCrl(_issuing, [], _pki.Now.AddHours(-1), _pki.Now.AddDays(1), 1));
        var folder = Path.Combine(_pki.Directory, "shared-cache");
        await using (var first = await StartAsync(time: null, folder))
        {
            (await GetAsync(first, good)).Status.Should().Be(HttpStatusCode.OK);
        }

        var fetched = _server.Requests;
        _server.Mode = CrlDistributionServer.Behaviour.Down;
        await using var restarted = await StartAsync(time: null, folder);
        var afterRestart = await GetAsync(restarted, good);

        afterRestart.Status.Should().Be(HttpStatusCode.OK, afterRestart.Body);
        _server.Requests.Should().Be(fetched);
    }

    [Fact]
    public async Task AdminRevocationEndpoint_AndMetrics_ShowFileAndFetchedCrls()
    {
        var good = Client("good");
        _server.Publish("issuing.crl", CertificateAuthority.CreateCrl(_issuing, [], _pki.Now.AddHours(-1), _pki.Now.AddDays(1), 1));
        await using var host = await StartAsync(time: null, cacheFolder: null);
        (await GetAsync(host, good)).Status.Should().Be(HttpStatusCode.OK);

        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        var crls = JsonNode.Parse(await admin.GetStringAsync("/api/revocation"))!["crls"]!.AsArray();
        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);

        var fetched = crls.Single(c => (string?)c!["source"] == "url")!;
        ((string?)fetched["url"]).Should().Be(_server.Url("issuing.crl"));
        ((string?)fetched["issuer"]).Should().Contain("Online Issuing CA");
        ((string?)fetched["lastResult"]).Should().Be("ok");
        ((int?)fetched["entries"]).Should().Be(0);
        fetched["nextUpdate"].Should().NotBeNull();
        crls.Where(c => (string?)c!["source"] == "file").Should().HaveCount(3);
        metrics.Sum("mtls_gateway_crl_fetches_total", ("trust_store", "partners"), ("result", "ok")).Should().Be(1);
        metrics.Named("mtls_gateway_crl_next_update_in_seconds").Where(s => s.Labels["source"] == "url")
            .Should().ContainSingle().Which.Labels["issuer"].Should().Contain("Online Issuing CA");
    }

    private async Task<GatewayTestHost> StartAsync(FakeTimeProvider? time, string? cacheFolder, string timeout = "00:00:05")
    {
        var rootPem = _pki.WritePem("online-root.pem", _pki.Root);
        var issuingPem = _pki.WritePem("online-issuing.pem", _issuing);
        var rootCrl = _pki.WriteCrl("online-root.crl", _pki.Root);
        return await GatewayTestHost.StartAsync(
            (config, _) =>
            {
                var partners = config["Gateway"]!["TrustStores"]!["partners"]!;
                partners["CaFiles"]!.AsArray().Add(rootPem);
                partners["CaFiles"]!.AsArray().Add(issuingPem);
                partners["CrlFiles"]!.AsArray().Add(rootCrl);
                partners["Revocation"] = "Online";
                partners["RevocationTimeout"] = timeout;
                if (cacheFolder is not null)
                {
                    partners["CrlCacheFolder"] = cacheFolder;
                }

                if (time is not null)
                {
                    // Reload polling runs on the same clock: off, so advancing time does not fire it over and over.
                    config["Gateway"]!["Reload"]!["Enabled"] = false;
                }
            },
            time);
    }

    /// <summary>A client the acme-orders policy allows by name, issued by the online CA with its distribution point.</summary>
    private IssuedCertificate Client(string name) =>
        _pki.IssueClient("acme-orders-client", s => s with
        {
            Subject = $"CN=acme-orders-client, OU={name}, O=Partner, C=US",
            CrlDistributionPoints = [_server.Url("issuing.crl")],
        }, _issuing);

    private SslStreamCertificateContext Context(IssuedCertificate client) =>
        SslStreamCertificateContext.Create(client.Certificate, [_issuing.PublicOnly()], offline: true);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(GatewayTestHost host, IssuedCertificate client)
    {
        using var http = host.CreateClientWith("localhost", Context(client));
        var response = await http.GetAsync("/orders/1");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
