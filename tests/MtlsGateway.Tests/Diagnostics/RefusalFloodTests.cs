using System.Net;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;
using Serilog.Events;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>A flood of the same failure from the same source is logged once, then counted and summarised
/// (RefusalsSummarised with Count, FirstSeen, LastSeen); the counts are exact and /metrics still sees every attempt.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RefusalFloodTests
{
    private const int PlaintextAttempts = 2000;
    private const int Connections = 4;
    private const int HandshakeAttempts = 20;

    [Fact]
    public async Task Flood_ThousandsOfRefusals_LogStaysSmallAndCountsAreExact()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync(NoReloadPolling, time);

        // 2000 refused requests over 4 keep-alive connections to the plaintext listener (Strict route: PlaintextNotAllowed).
        var clients = Enumerable.Range(0, Connections).Select(_ => host.CreateClient("localhost", certificate: null, listener: "plain")).ToList();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var i = 0; i < PlaintextAttempts / Connections; i++)
            {
                using var response = await client.GetAsync("/orders/1");
                response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            }
        }));
        clients.ForEach(c => c.Dispose());

        // And refused TLS handshakes from two sources: a certificate (keyed by its SHA-256) and no certificate (by IP).
        for (var i = 0; i < HandshakeAttempts; i++)
        {
            (await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", host.ClientCertificate("client-expired"))).Completed.Should().BeFalse();
            (await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test")).Completed.Should().BeFalse();
        }

        // The server logs a handshake refusal just after the client saw it fail: wait (bounded) until all are counted.
        var metrics = await PrometheusText.ScrapeUntilAsync(host.AdminPort, m => m.Sum("mtls_gateway_handshakes_total", ("result", "refused")) == 2 * HandshakeAttempts);
        host.Logs.Named("RefusalsSummarised").Should().BeEmpty("nothing is summarised before the interval has passed");

        time.Advance(TimeSpan.FromSeconds(61));

        var full = host.Logs.Named("RequestRejected").Concat(host.Logs.Named("HandshakeFailed")).ToList();
        var summaries = host.Logs.Named("RefusalsSummarised");
        full.Select(e => LogSink.EventName(e) + " " + LogSink.Property(e, "Reason")).Should().HaveCount(3, "one full event per source: plaintext from this IP, the expired certificate, no certificate");
        summaries.Should().HaveCount(3);
        host.Logs.Events.Count.Should().BeLessThan(50, "the log stays small: {0} refusals", PlaintextAttempts + 2 * HandshakeAttempts);

        AttemptsOf(full, summaries, "RequestRejected", "PlaintextNotAllowed").Should().Be(PlaintextAttempts);
        AttemptsOf(full, summaries, "HandshakeFailed", "Expired").Should().Be(HandshakeAttempts);
        AttemptsOf(full, summaries, "HandshakeFailed", "NoCertificate").Should().Be(HandshakeAttempts);

        var expired = summaries.Single(e => LogSink.Property(e, "Reason") == "Expired");
        LogSink.Property(expired, "Event").Should().Be("HandshakeFailed");
        LogSink.Property(expired, "CertSha256").Should().MatchRegex("^[0-9A-F]{64}$");
        LogSink.Property(expired, "Policy").Should().Be("acme-orders");
        LogSink.Property(expired, "Hint").Should().NotBeNullOrWhiteSpace();
        var plaintext = summaries.Single(e => LogSink.Property(e, "Reason") == "PlaintextNotAllowed");
        LogSink.Property(plaintext, "RemoteIp").Should().Be("127.0.0.1");
        LogSink.Property(plaintext, "FirstSeen").Should().NotBeNull();
        DateTimeOffset.Parse(LogSink.Property(plaintext, "LastSeen")!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeOnOrAfter(DateTimeOffset.Parse(LogSink.Property(plaintext, "FirstSeen")!, System.Globalization.CultureInfo.InvariantCulture));

        metrics = await PrometheusText.ScrapeUntilAsync(host.AdminPort, m => m.Sum("mtls_gateway_requests_total", ("status", "403")) == PlaintextAttempts);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "PlaintextNotAllowed"), ("stage", "request"), ("policy", "acme-orders")).Should().Be(PlaintextAttempts);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "Expired"), ("stage", "handshake")).Should().Be(HandshakeAttempts);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "NoCertificate"), ("stage", "handshake")).Should().Be(HandshakeAttempts);
        metrics.Sum("mtls_gateway_requests_total", ("route", "orders"), ("status", "403")).Should().Be(PlaintextAttempts);

        // A quiet interval later the sources are forgotten: the next refusal is news again and logged in full.
        time.Advance(TimeSpan.FromSeconds(61));
        using var again = host.CreateClient("localhost", certificate: null, listener: "plain");
        (await again.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        host.Logs.Named("RequestRejected").Should().HaveCount(2);
    }

    [Fact]
    public async Task ManySources_BeyondTheCap_ShareOneOverflowSummaryFlushedAtShutdown()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync(
            (config, directory) =>
            {
                NoReloadPolling(config, directory);
                config["Gateway"]!["Logging"] = new System.Text.Json.Nodes.JsonObject { ["RefusalSummaryMaxSources"] = 1 };
            },
            time);

        using (var plain = host.CreateClient("localhost", certificate: null, listener: "plain"))
        {
            (await plain.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        // Two further sources (two certificates), three attempts each: past the cap of one tracked source.
        foreach (var certificate in new[] { "client-expired", "client-revoked" })
        {
            using var client = host.CreateClient("localhost", certificate);
            for (var i = 0; i < 3; i++)
            {
                (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            }
        }

        await host.Gateway.StopAsync();

        host.Logs.Named("RequestRejected").Should().ContainSingle().Which.Should().Match<LogEvent>(e => LogSink.Property(e, "Reason") == "PlaintextNotAllowed");
        var overflow = host.Logs.Named("RefusalsSummarised").Should().ContainSingle().Subject;
        LogSink.Property(overflow, "Count").Should().Be("6");
        LogSink.Property(overflow, "Hint").Should().Contain("RefusalSummaryMaxSources").And.Contain("mtls_gateway_refusals_total");
    }

    /// <summary>The fake clock drives the summary timer; the config poller would also tick on it, so it is off here.</summary>
    private static void NoReloadPolling(System.Text.Json.Nodes.JsonObject config, string directory) =>
        config["Gateway"]!["Reload"] = new System.Text.Json.Nodes.JsonObject { ["Enabled"] = false };

    private static long AttemptsOf(IEnumerable<LogEvent> full, IEnumerable<LogEvent> summaries, string eventName, string reason) =>
        full.Count(e => LogSink.EventName(e) == eventName && LogSink.Property(e, "Reason") == reason)
        + summaries.Where(e => LogSink.Property(e, "Event") == eventName && LogSink.Property(e, "Reason") == reason)
            .Sum(e => long.Parse(LogSink.Property(e, "Count")!, System.Globalization.CultureInfo.InvariantCulture));
}
