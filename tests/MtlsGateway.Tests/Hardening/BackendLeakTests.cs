using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// A bounded loop of failing backend requests — refused, reset before the response, reset mid-body, silent past the
/// activity timeout — leaves no sockets and no memory behind: this process's descriptors and live managed heap
/// (gateway, backends and client share it) are counted before and after, within a small tolerance.
/// </summary>
[Collection(ResourceHeavyTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class BackendLeakTests(ITestOutputHelper output)
{
    private const int Rounds = 3;

    [Fact]
    public async Task FailingBackends_BoundedLoop_LeakNoSocketsOrMemory()
    {
        await using var backend = await FaultyBackend.StartAsync();
        var deadPort = RepositoryPaths.FreePort();
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            HardeningConfig.Limits(config, ("BackendActivityTimeout", "00:00:01"));
            HardeningConfig.FaultyRoutes(config, backend.Address);
            config["ReverseProxy"]!["Clusters"]!["dead"] = new JsonObject
            {
                ["Destinations"] = new JsonObject { ["a"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{deadPort}/" } },
            };
            config["ReverseProxy"]!["Routes"]!["dead"] = new JsonObject
            {
                ["ClusterId"] = "dead",
                ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["Path"] = "/refused" },
            };
        });
        using var client = host.CreateClient();

        await FailAsync(client); // warm-up: connection pools, JIT, first-use caches
        var descriptorsBefore = await ProcessResources.DescriptorsSettleAsync(0, TimeSpan.FromSeconds(2));
        var memoryBefore = ProcessResources.LiveManagedBytes();

        for (var round = 0; round < Rounds; round++)
        {
            await FailAsync(client);
        }

        var descriptorsAfter = await ProcessResources.DescriptorsSettleAsync(descriptorsBefore + 8, TimeSpan.FromSeconds(15));
        var memoryAfter = ProcessResources.LiveManagedBytes();
        output.WriteLine($"{Rounds * 70} failed requests: descriptors {descriptorsBefore} -> {descriptorsAfter}, live managed heap {memoryBefore / 1024} KiB -> {memoryAfter / 1024} KiB");
        descriptorsAfter.Should().BeLessThanOrEqualTo(descriptorsBefore + 8, "failed backend connections are closed, not leaked");
        (memoryAfter - memoryBefore).Should().BeLessThan(8L * 1024 * 1024, "failed requests leave nothing referenced");
    }

    /// <summary>70 failing requests: 25 refused, 25 reset before the response, 10 reset mid-body, 10 silent (concurrent).</summary>
    private static async Task FailAsync(HttpClient client)
    {
        for (var i = 0; i < 25; i++)
        {
            (await Status(client, "/refused")).Should().Be(HttpStatusCode.BadGateway);
            (await Status(client, "/reset-before")).Should().Be(HttpStatusCode.BadGateway);
        }

        for (var i = 0; i < 10; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/reset-mid", UriKind.Relative));
            }
            catch (HttpRequestException)
            {
                // the cut response breaks the client's read: expected
            }
        }

        var silent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Status(client, "/hang")));
        silent.Should().OnlyContain(s => s == HttpStatusCode.GatewayTimeout);
    }

    private static async Task<HttpStatusCode> Status(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }
}
