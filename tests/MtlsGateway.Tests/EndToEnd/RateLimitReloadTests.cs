using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>Rate limits reload with the configuration: new settings apply to the next request; a limit added after
/// start cannot be registered with ASP.NET Core's limiter, so a route naming it is a refused reload, not a broken route.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RateLimitReloadTests
{
    [Fact]
    public async Task Reload_ChangedPermitsPerSecond_AppliesToNewRequests()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => RateLimitTests.AddLimits(config));
        using var client = host.CreateClient("localhost", "client-spiffe");
        var before = await ExhaustAsync(client);

        await host.EditConfigAsync(config => config["Gateway"]!["RateLimits"]!["per-cert"]!["PermitsPerSecond"] = 0.5);
        await host.WaitForReloadAsync(2);
        var after = await ExhaustAsync(client);

        before.Should().BeInRange(90, 100, "at 0.01/s the next permit is 100 s away");
        after.Should().Be(2, "at 0.5/s after the reload, a new bucket whose next permit is 2 s away");
    }

    [Fact]
    public async Task Reload_RouteNamingALimitAddedAfterStart_IsRefusedAndTheLastGoodServes()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => RateLimitTests.AddLimits(config));
        using var client = host.CreateClient("localhost", "client-spiffe");

        await host.EditConfigAsync(config =>
        {
            config["Gateway"]!["RateLimits"]!["newcomer"] = new JsonObject { ["PermitsPerSecond"] = 5 };
            config["ReverseProxy"]!["Routes"]!["status"]!["RateLimiterPolicy"] = "newcomer";
        });
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");

        failed.RenderMessage().Should().Contain("ReverseProxy:Routes:status:RateLimiterPolicy").And.Contain("restart the gateway");
        (await client.GetAsync("/status")).StatusCode.Should().Be(HttpStatusCode.OK, "the last good configuration keeps serving");
    }

    /// <summary>Spends per-cert's burst of 3 and returns the Retry-After of the refusal that follows.</summary>
    private static async Task<int> ExhaustAsync(HttpClient client)
    {
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/cert/x")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var refused = await client.GetAsync("/cert/x");
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        return int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
    }
}
