using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;
using Serilog.Formatting.Compact;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>Admitted requests write one compact RequestCompleted line each, unless Gateway:Logging:Requests is false.</summary>
[Trait("Category", "EndToEnd")]
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

    [Fact]
    public async Task AdmittedRequest_CategorySilencedInSerilogSection_WritesNoLine()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Serilog"] = new JsonObject
        {
            ["MinimumLevel"] = new JsonObject { ["Override"] = new JsonObject { ["MtlsGateway.Requests"] = "Warning" } },
        });

        // Two requests on one connection: Kestrel starts the second (refused, logged) only once the first has finished.
        var response = await TlsProbe.ExchangeAsync(host.Port(), "localhost",
            "GET /orders/7 HTTP/1.1\r\nHost: localhost\r\n\r\nGET /orders/7 HTTP/1.1\r\nHost: open.partner.test\r\nConnection: close\r\n\r\n",
            host.ClientCertificate("client"));

        response.Should().StartWith("HTTP/1.1 200").And.Contain("HTTP/1.1 421");
        await host.Logs.WaitForAsync("RequestRejected");
        host.Logs.Named("RequestCompleted").Should().BeEmpty("the Serilog override on MtlsGateway.Requests silences request lines");
    }

    [Fact]
    public async Task AdmittedRequest_Line_CarriesItsFieldsAndNoRendering()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");

        (await client.GetAsync("/orders/7")).StatusCode.Should().Be(HttpStatusCode.OK);

        var line = await host.Logs.WaitForAsync("RequestCompleted");
        line.Level.Should().Be(Serilog.Events.LogEventLevel.Information);
        line.MessageTemplate.Text.Should().Be("{Method} {Path} {Status} {DurationMs} ms route {Route} policy {Policy} cert {CertSha256}");

        // What ops read: the CLEF line the shipped file sink writes.
        using var text = new StringWriter();
        new CompactJsonFormatter().Format(line, text);
        var clef = JsonNode.Parse(text.ToString())!.AsObject();
        clef.ContainsKey("@r").Should().BeFalse("a format specifier would add a rendering to every request line");
        ((string?)clef["SourceContext"]).Should().Be("MtlsGateway.Requests");
        ((string?)clef["Method"]).Should().Be("GET");
        ((string?)clef["Path"]).Should().Be("/orders/7");
        ((int?)clef["Status"]).Should().Be(200);
        ((string?)clef["Policy"]).Should().Be("acme-orders");
        ((string?)clef["Partner"]).Should().Be("acme-orders", "a policy with TrustStore and Allow has one partner, named after it");
        ((string?)clef["RemoteIp"]).Should().Be("127.0.0.1");
        ((string?)clef["CertSha256"]).Should().Be(host.ClientCertificate("client").TargetCertificate.GetCertHashString(HashAlgorithmName.SHA256));
        clef["DurationMs"]!.ToJsonString().Should().MatchRegex(@"^\d+(\.\d{1,2})?$", "the duration is rounded to 0.01 ms, not rendered");
        ((string?)clef["TraceId"]).Should().MatchRegex("^[0-9A-Z]+:[0-9A-F]{8}$", "Kestrel's connection id and request number");
        ((int?)clef["EventId"]!["Id"]).Should().Be(5004);
    }
}
