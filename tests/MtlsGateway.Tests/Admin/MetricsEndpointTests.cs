using System.Net;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>/metrics on the admin listener: Prometheus text with handshakes, refusals, requests by route and status,
/// expiry gauges read from the configuration in force; one gateway's numbers never leak into another's.</summary>
[Trait("Category", "EndToEnd")]
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Scrape_CarriesProcessAndRuntimeSeries()
    {
        var metrics = await PrometheusText.ScrapeUntilAsync(_host.AdminPort, m => m.Sum("process_cpu_seconds_total") > 0);

        metrics.Sum("process_working_set_bytes").Should().BeGreaterThan(1_000_000, "the gateway's RSS is megabytes");
        metrics.Text.Should().Contain("# TYPE process_open_handles gauge").And.Contain("dotnet_collection_count_total");
    }

    [Fact]
    public async Task Scrape_AfterTrafficAndRefusals_CountsThemByLabel()
    {
        using (var good = _host.CreateClient("localhost", "client"))
        {
            (await good.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await good.GetAsync("/orders/2")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await good.GetAsync("/nowhere")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        using (var expired = _host.CreateClient("localhost", "client-expired"))
        {
            (await expired.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await TlsProbe.HandshakeAsync(_host.Port(), "strict.partner.test", clientCertificate: null)).Completed.Should().BeFalse();
        await _host.Logs.WaitForAsync("HandshakeFailed");

        var metrics = await PrometheusText.ScrapeUntilAsync(_host.AdminPort, m => m.Sum("mtls_gateway_requests_total") >= 4);

        metrics.Text.Should().Contain("# TYPE mtls_gateway_requests_total counter").And.Contain("# TYPE mtls_gateway_refusals_total counter");
        metrics.Sum("mtls_gateway_requests_total", ("route", "orders"), ("status", "200")).Should().Be(2);
        metrics.Sum("mtls_gateway_requests_total", ("route", "orders"), ("status", "403")).Should().Be(1);
        metrics.Sum("mtls_gateway_requests_total", ("route", ""), ("status", "404")).Should().Be(1);
        metrics.Sum("mtls_gateway_request_duration_seconds_count", ("route", "orders")).Should().Be(3);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "Expired"), ("policy", "acme-orders"), ("stage", "request")).Should().Be(1);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "NoCertificate"), ("policy", "acme-orders"), ("stage", "handshake")).Should().Be(1);
        metrics.Sum("mtls_gateway_handshakes_total", ("listener", "public"), ("result", "refused")).Should().Be(1);
        metrics.Sum("mtls_gateway_handshakes_total", ("listener", "public"), ("result", "ok")).Should().BeGreaterThanOrEqualTo(2);
        metrics.Sum("mtls_gateway_config_version").Should().Be(1);
    }

    [Fact]
    public async Task Scrape_ExpiryGauges_ShowEveryServerCertificateCaAndCrl()
    {
        var metrics = await PrometheusText.ScrapeAsync(_host.AdminPort);

        var server = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("server.crt"));
        var serverExpiry = metrics.Named("mtls_gateway_certificate_expires_in_seconds").Single(s => s.Labels["kind"] == "server");
        serverExpiry.Labels["sha256"].Should().Be(server.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        serverExpiry.Value.Should().BeApproximately((server.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds, 120);
        metrics.Named("mtls_gateway_certificate_expires_in_seconds")
            .Where(s => s.Labels["trust_store"] == "partners").Select(s => s.Labels["kind"])
            .Should().BeEquivalentTo(["root", "intermediate"]);
        var crls = metrics.Named("mtls_gateway_crl_next_update_in_seconds").ToList();
        crls.Should().HaveCount(2).And.OnlyContain(s => s.Labels["trust_store"] == "partners" && s.Value > 0);
        metrics.Named("mtls_gateway_crl_next_update_timestamp_seconds").Should().HaveCount(2)
            .And.OnlyContain(s => s.Value > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Scrape_TwoGatewaysInOneProcess_DoNotShareCounts()
    {
        await using var other = await GatewayTestHost.StartAsync();
        using (var client = other.CreateClient("localhost", "client"))
        {
            (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var mine = await PrometheusText.ScrapeAsync(_host.AdminPort);
        var theirs = await PrometheusText.ScrapeUntilAsync(other.AdminPort, m => m.Sum("mtls_gateway_requests_total") >= 1);

        theirs.Sum("mtls_gateway_requests_total", ("route", "orders")).Should().Be(1);
        mine.Sum("mtls_gateway_requests_total").Should().Be(0);
    }

    [Fact]
    public async Task Metrics_OnPartnerListener_IsNotServed()
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/metrics");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("mtls_gateway_");
    }
}
