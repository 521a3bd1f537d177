using System.Net;
using System.Text.Json;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A backend that cannot be reached gives the client a problem+json 502, never a hang or a stack trace.</summary>
[Trait("Category", "EndToEnd")]
public sealed class BackendFailureTests
{
    [Fact]
    public async Task BackendDown_Is502ProblemAndLogged()
    {
        var deadPort = RepositoryPaths.FreePort();
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = $"http://127.0.0.1:{deadPort}/");
        using var client = host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/orders/1");

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(502);
        problem.RootElement.GetProperty("reason").GetString().Should().Be("Request");
        var logged = await host.Logs.WaitForAsync("BackendFailed");
        LogSink.Property(logged, "Route").Should().Be("orders");
    }
}
