using System.Net;
using System.Net.Security;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Deploy;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A limit's buckets stay bounded: at most <c>MaxPartitions</c> of their own (later identities share one
/// overflow bucket), and a bucket left full is evicted by the framework's partitioned limiter (its idle limit is 10 s).</summary>
[Trait("Category", "EndToEnd")]
public sealed class RateLimitPartitionTests
{
    [Fact]
    public async Task MaxPartitions_Reached_LaterIdentitiesShareOneOverflowBucket()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            RateLimitTests.AddLimits(config);
            config["Gateway"]!["RateLimits"]!["per-cert"] = JsonNode.Parse("""{ "PermitsPerSecond": 0.01, "Burst": 1, "MaxPartitions": 1 }""");
        });
        using var first = host.CreateClientWith("localhost", Issue(host, "rl-max-a"));
        using var second = host.CreateClientWith("localhost", Issue(host, "rl-max-b"));
        using var third = host.CreateClientWith("localhost", Issue(host, "rl-max-c"));

        var statuses = new[]
        {
            (await first.GetAsync("/cert/1")).StatusCode,
            (await second.GetAsync("/cert/2")).StatusCode,
            (await third.GetAsync("/cert/3")).StatusCode,
        };

        statuses.Should().Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            "the first certificate holds the one partition; the second and third share the overflow bucket of 1");
        await host.Logs.WaitForAsync("RateLimitPartitionsFull");
        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);
        metrics.Sum("mtls_gateway_rate_limit_partitions", ("limit", "per-cert")).Should().Be(2, "one partition and the overflow bucket");
    }

    [Fact]
    public async Task IdleBucket_IsEvicted()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => RateLimitTests.AddLimits(config, permitsPerSecond: 1000));
        using var client = host.CreateClient("localhost", "client-spiffe");
        (await client.GetAsync("/cert/1")).StatusCode.Should().Be(HttpStatusCode.OK);
        var held = await PrometheusText.ScrapeAsync(host.AdminPort);

        // The framework evicts a bucket that has been full for 10 s; waiting on the gauge, not on a clock.
        var evicted = await Poll.UntilAsync(() => PrometheusText.ScrapeAsync(host.AdminPort),
            m => m.Sum("mtls_gateway_rate_limit_partitions", ("limit", "per-cert")) == 0, TimeSpan.FromSeconds(60),
            m => m?.Text ?? "no scrape");

        held.Sum("mtls_gateway_rate_limit_partitions", ("limit", "per-cert")).Should().Be(1);
        evicted.Sum("mtls_gateway_rate_limit_partitions", ("limit", "per-cert")).Should().Be(0);
    }

    private static SslStreamCertificateContext Issue(GatewayTestHost host, string name)
    {
        using var pki = new TestPkiDirectory(host.Pki(string.Empty));
        return pki.IssueClient(name, $"CN={name}, O=Acme");
    }
}
