using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>Admitted requests write one compact RequestCompleted line each, unless Gateway:Logging:Requests is false.</summary>
public sealed class RequestLoggingTests
{
    [Fact]
    public async Task AdmittedRequest_ByDefault_IsOneCompactLine()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");

        (await client.GetAsync("/orders/7?secret=1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var line = await host.Logs.WaitForAsync("RequestCompleted");
        host.Logs.Named("RequestCompleted").Should().HaveCount(1);
        LogSink.Property(line, "Route").Should().Be("orders");
        LogSink.Property(line, "Status").Should().Be("200");
        LogSink.Property(line, "Policy").Should().Be("acme-orders");
        LogSink.Property(line, "Path").Should().Be("/orders/7", "the query string stays out of the log");
        LogSink.Property(line, "CertSha256").Should().MatchRegex("^[0-9A-F]{64}$");
        double.Parse(LogSink.Property(line, "DurationMs")!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task AdmittedRequest_WithRequestLoggingOff_WritesNoLineButIsCounted()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
            config["Gateway"]!["Logging"] = new JsonObject { ["Requests"] = false });
        using var client = host.CreateClient("localhost", "client");

        (await client.GetAsync("/orders/7")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/orders/8")).StatusCode.Should().Be(HttpStatusCode.OK);

        var metrics = await MtlsGateway.Tests.Admin.PrometheusText.ScrapeUntilAsync(host.AdminPort, m => m.Sum("mtls_gateway_requests_total") >= 2);
        metrics.Sum("mtls_gateway_requests_total", ("route", "orders"), ("status", "200")).Should().Be(2);
        host.Logs.Named("RequestCompleted").Should().BeEmpty();
    }
}
