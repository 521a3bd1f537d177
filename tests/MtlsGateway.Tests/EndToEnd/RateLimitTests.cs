using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 25 item 4: <c>Gateway:RateLimits</c> selected by a YARP route's own <c>RateLimiterPolicy</c>. Every limit here
/// refills one permit per 100 s, so a burst past <c>Burst</c> is refused deterministically: exactly Burst requests
/// pass, the rest get 429 problem+json with Reason <c>RateLimited</c> and the bucket's own Retry-After.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RateLimitTests(RateLimitTests.Fixture fixture) : IClassFixture<RateLimitTests.Fixture>
{
    private const double SlowRate = 0.01;
    private readonly GatewayTestHost _host = fixture.Host;

    public sealed class Fixture : IAsyncLifetime
    {
        internal GatewayTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync((config, _) =>
        {
            AddLimits(config);
            // Each case uses its own certificates; log every refusal in full rather than summarise them by IP.
            config["Gateway"]!["Logging"] = new JsonObject { ["RefusalSummaryCertificatesPerIp"] = 1000 };
        });

        public Task DisposeAsync() => Host.DisposeAsync().AsTask();
    }

    /// <summary>Limits <c>per-cert</c> (burst 3), <c>per-partner</c> and <c>per-ip</c> (burst 2), all at <see cref="SlowRate"/>,
    /// on routes <c>/cert/…</c>, <c>/partner/…</c>, <c>/ip/…</c> of the Permissive policy <c>open-status</c> (one partner).</summary>
    internal static void AddLimits(JsonObject config, double permitsPerSecond = SlowRate)
    {
        config["Gateway"]!["RateLimits"] = JsonNode.Parse(string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "per-cert": { "PermitsPerSecond": {{permitsPerSecond}}, "Burst": 3, "PartitionBy": "Certificate" },
              "per-partner": { "PermitsPerSecond": {{permitsPerSecond}}, "Burst": 2, "PartitionBy": "Partner" },
              "per-ip": { "PermitsPerSecond": {{permitsPerSecond}}, "Burst": 2, "PartitionBy": "RemoteIp" }
            }
            """));
        var routes = config["ReverseProxy"]!["Routes"]!;
        foreach (var (name, limit) in new[] { ("cert", "per-cert"), ("partner", "per-partner"), ("ip", "per-ip") })
        {
            routes[name] = JsonNode.Parse($$"""
                { "ClusterId": "echo", "AuthorizationPolicy": "open-status", "RateLimiterPolicy": "{{limit}}",
                  "Match": { "Hosts": [ "localhost" ], "Path": "/{{name}}/{**rest}" } }
                """);
        }
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Burst_FromOneCertificate_IsLimitedWhileAnotherCertificateIsNot(string version)
    {
        var noisy = Issue($"rl-noisy-{version}");
        var quiet = Issue($"rl-quiet-{version}");
        using var noisyClient = _host.CreateClientWith("localhost", noisy, version: Version.Parse(version));
        using var quietClient = _host.CreateClientWith("localhost", quiet, version: Version.Parse(version));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await noisyClient.GetAsync($"/cert/{i}");
            statuses.Add(response.StatusCode);
        }

        using var other = await quietClient.GetAsync("/cert/other");

        statuses.Should().Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], "Burst is 3 and no permit comes back for 100 s");
        other.StatusCode.Should().Be(HttpStatusCode.OK, "another certificate has its own bucket");
    }

    [Fact]
    public async Task Refusal_Is429ProblemWithHonestRetryAfter_LoggedWithPartnerPolicyAndRoute()
    {
        var certificate = Issue("rl-retry");
        using var client = _host.CreateClientWith("localhost", certificate);
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/cert/ok")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var refused = await client.GetAsync("/cert/refused");

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        retryAfter.Should().BeInRange(90, 100, "the bucket refills one permit per 100 s: that is when the next request passes");
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("reason").GetString().Should().Be("RateLimited");
        body.RootElement.GetProperty("status").GetInt32().Should().Be(429);

        var sha256 = Convert.ToHexString(SHA256.HashData(certificate.TargetCertificate.RawData));
        var logged = await _host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "CertSha256") == sha256);
        LogSink.Property(logged, "Reason").Should().Be("RateLimited");
        LogSink.Property(logged, "Route").Should().Be("cert");
        LogSink.Property(logged, "Policy").Should().Be("open-status");
        LogSink.Property(logged, "Partner").Should().Be("open-status");
        LogSink.Property(logged, "Hint").Should().Contain("rate limit 'per-cert'").And.Contain("retry after");

        var refusals = await AdminApi.GetAsync(_host, "/api/refusals");
        refusals.GetProperty("refusals").EnumerateArray()
            .Should().Contain(r => r.GetProperty("reason").GetString() == "RateLimited" && r.GetProperty("route").GetString() == "cert",
                "the status page's refusal ring shows rate-limited requests like every refusal");
        var metrics = await PrometheusText.ScrapeUntilAsync(_host.AdminPort, m => m.Sum("mtls_gateway_rate_limited_total") >= 1);
        metrics.Sum("mtls_gateway_rate_limited_total", ("policy", "open-status"), ("partition", "certificate")).Should().BeGreaterThanOrEqualTo(1);
        metrics.Text.Split('\n').Where(l => l.StartsWith("mtls_gateway_rate_limited_total", StringComparison.Ordinal))
            .Should().NotContain(l => l.Contains(sha256, StringComparison.OrdinalIgnoreCase), "never labelled by certificate");
    }

    [Fact]
    public async Task PartnerPartition_TwoCertificatesOfOnePartner_ShareABucket()
    {
        using var first = _host.CreateClientWith("localhost", Issue("rl-partner-a"));
        using var second = _host.CreateClientWith("localhost", Issue("rl-partner-b"));

        var a1 = await first.GetAsync("/partner/1");
        var b1 = await second.GetAsync("/partner/2");
        var a2 = await first.GetAsync("/partner/3");
        var b2 = await second.GetAsync("/partner/4");

        new[] { a1.StatusCode, b1.StatusCode }.Should().AllBeEquivalentTo(HttpStatusCode.OK);
        new[] { a2.StatusCode, b2.StatusCode }.Should().AllBeEquivalentTo(HttpStatusCode.TooManyRequests,
            "both certificates belong to partner open-status, whose bucket holds 2");
    }

    [Fact]
    public async Task RemoteIpPartition_LimitsEveryCertificateFromTheAddress()
    {
        using var first = _host.CreateClientWith("localhost", Issue("rl-ip-a"));
        using var second = _host.CreateClientWith("localhost", Issue("rl-ip-b"));
        using var third = _host.CreateClientWith("localhost", Issue("rl-ip-c"));

        var statuses = new[]
        {
            (await first.GetAsync("/ip/1")).StatusCode,
            (await second.GetAsync("/ip/2")).StatusCode,
            (await third.GetAsync("/ip/3")).StatusCode,
        };

        statuses.Should().Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], "all three come from 127.0.0.1");
    }

    [Fact]
    public async Task RouteWithoutRateLimiterPolicy_IsUnlimited()
    {
        using var client = _host.CreateClientWith("localhost", Issue("rl-unlimited"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await client.GetAsync("/status")).StatusCode);
        }

        statuses.Should().AllBeEquivalentTo(HttpStatusCode.OK);
    }

    private SslStreamCertificateContext Issue(string name)
    {
        using var pki = new TestPkiDirectory(_host.Pki(string.Empty));
        return pki.IssueClient(name, $"CN={name}, O=Acme");
    }
}
