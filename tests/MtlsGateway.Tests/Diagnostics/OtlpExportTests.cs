using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>
/// <c>Gateway:Telemetry</c>: a real gateway exports its metrics, ASP.NET Core's, Kestrel's and the runtime's, and (with
/// Traces) a span per request carrying the refusal Reason, to a real OTLP receiver on loopback, over both transports.
/// </summary>
[Collection(ProcessWideTelemetryTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class OtlpExportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("HttpProtobuf")]
    [InlineData("Grpc")]
    public async Task Export_MetricsAndARefusalSpan_ArriveAtTheCollector(string protocol)
    {
        await using var collector = await OtlpReceiver.StartAsync(grpc: protocol == "Grpc");
        await using var gateway = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Telemetry"] = new JsonObject
        {
            ["OtlpEndpoint"] = collector.Url,
            ["OtlpProtocol"] = protocol,
            ["Traces"] = true,
            ["TraceSampleRatio"] = 1.0,
            ["MetricsExportInterval"] = "00:00:01",
        });

        using (var good = gateway.CreateClient("localhost", "client"))
        {
            (await good.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var expired = gateway.CreateClient("localhost", "client-expired"))
        {
            (await expired.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        string[] expected = ["mtls_gateway.requests", "mtls_gateway.refusals", "http.server.request.duration", "kestrel.active_connections", "dotnet.gc.collections"];
        (await collector.WaitForAsync(c => expected.All(c.MetricNames.Contains), Patience))
            .Should().BeTrue($"every one of {string.Join(", ", expected)} is exported; got {string.Join(", ", collector.MetricNames.Distinct().Order())}");

        (await collector.WaitForAsync(c => c.Spans.Any(s => s.Attributes.GetValueOrDefault("mtls_gateway.reason") == "Expired"), Patience))
            .Should().BeTrue("the refused request's span carries its Reason");
        var refused = collector.Spans.First(s => s.Attributes.GetValueOrDefault("mtls_gateway.reason") == "Expired");
        refused.Attributes.Should().Contain("mtls_gateway.route", "orders").And.Contain("mtls_gateway.policy", "acme-orders");
        collector.Spans.Should().Contain(s => s.Attributes.GetValueOrDefault("mtls_gateway.route") == "orders" && !s.Attributes.ContainsKey("mtls_gateway.reason"),
            "the admitted request has a span too");
    }

    [Fact]
    public async Task Validate_BadTelemetrySettings_EachReportedAtItsPath()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Telemetry"] = new JsonObject
        {
            ["OtlpEndpoint"] = "collector:4317",
            ["TraceSampleRatio"] = 2,
            ["MetricsExportInterval"] = "00:00:00",
        });

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain("Gateway:Telemetry:OtlpEndpoint: 'collector:4317' is not an http(s) URL")
            .And.Contain("Gateway:Telemetry:TraceSampleRatio: must be between 0 and 1")
            .And.Contain("Gateway:Telemetry:MetricsExportInterval: must be between 1 second and 1 hour");
    }
}
