using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>Issue 23: a YARP route's own <c>Timeout</c> is honoured (ASP.NET Core's request timeouts): a backend slower
/// than it gives the client 504 problem+json with Reason <c>RequestTimedOut</c>, like a silent backend does.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RouteTimeoutTests
{
    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task RouteTimeout_SlowBackend_Is504Problem(string version)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backendBuilder = LoopbackApp.CreateBuilder();
        await using var backend = backendBuilder.Build();
        backend.Run(async context =>
        {
            // Held until the test has seen the gateway's answer: slower than any Timeout, without a clock.
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("late", context.RequestAborted);
        });
        await backend.StartAsync();
        try
        {
            await using var host = await GatewayTestHost.StartAsync((config, _) =>
            {
                config["ReverseProxy"]!["Clusters"]!["slow"] = JsonNode.Parse($$"""{ "Destinations": { "a": { "Address": "{{LoopbackApp.Address(backend)}}/" } } }""");
                config["ReverseProxy"]!["Routes"]!["slow"] = JsonNode.Parse("""
                    { "ClusterId": "slow", "AuthorizationPolicy": "open-status", "Timeout": "00:00:00.300",
                      "Match": { "Hosts": [ "localhost" ], "Path": "/slow" } }
                    """);
            });
            using var client = host.CreateClient("localhost", "client", version: Version.Parse(version));

            using var response = await client.GetAsync("/slow");
            using var fast = await client.GetAsync("/status");

            response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("reason").GetString().Should().Be("RequestTimedOut");
            fast.StatusCode.Should().Be(HttpStatusCode.OK, "routes without a Timeout are not affected");
            var logged = await host.Logs.WaitForAsync("BackendFailed");
            LogSink.Property(logged, "Route").Should().Be("slow");
            LogSink.Property(logged, "ForwarderError").Should().Be("RequestTimedOut");
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
