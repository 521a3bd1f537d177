using System.Net;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// <c>Gateway:Limits:MaxConcurrentConnections</c>: a listener holding its limit closes every further connection on
/// arrival, counts each one, logs one <c>ConnectionLimitReached</c> (not one line per connection), keeps the admin
/// listener reachable, and admits again as soon as connections close.
/// </summary>
[Collection(ResourceHeavyTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ConnectionLimitTests
{
    private const int Limit = 40;
    private const int OverLimit = 25;

    [Fact]
    public async Task ConnectionLimit_Reached_ClosesNewConnectionsLogsOnceAndCountsEach()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
            HardeningConfig.Limits(config, ("MaxConcurrentConnections", Limit)));
        await using var held = await HeldConnections.OpenAsync(host.Port(), "localhost", Limit, TimeSpan.FromSeconds(30), host.ClientCertificate("client"));

        for (var i = 0; i < OverLimit; i++)
        {
            using var socket = await SlowClient.ConnectAsync(host.Port());
            await using var stream = new System.Net.Sockets.NetworkStream(socket);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            (await SlowClient.ReadUntilClosedAsync(stream, null, patience.Token)).Should().BeTrue("connection {0} over the limit is closed at once", i + 1);
        }

        var metrics = await PrometheusText.ScrapeUntilAsync(host.AdminPort,
            m => m.Sum("mtls_gateway_connections_refused_total", ("listener", "public")) >= OverLimit);
        metrics.Sum("mtls_gateway_connections_refused_total", ("listener", "public")).Should().Be(OverLimit, "every refused connection is counted");
        metrics.Sum("mtls_gateway_connections_open", ("listener", "public")).Should().Be(Limit);
        var events = host.Logs.Named("ConnectionLimitReached");
        events.Should().ContainSingle("{0} refusals within one summary interval are one event, not a flood", OverLimit);
        LogSink.Property(events[0], "Listener").Should().Be("public");
        LogSink.Property(events[0], "Limit").Should().Be(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await held.CloseAsync(5);
        using var client = host.CreateClient();
        using var response = await client.GetAsync(new Uri("/orders/1", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK, "closing connections frees places at once");
    }

    [Fact]
    public async Task ConnectionLimit_Reached_AdminListenerStaysReachable()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => HardeningConfig.Limits(config, ("MaxConcurrentConnections", 5)));
        await using var held = await HeldConnections.OpenAsync(host.Port(), "localhost", 5, TimeSpan.FromSeconds(30), host.ClientCertificate("client"));
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var ready = await admin.GetAsync(new Uri($"http://127.0.0.1:{host.AdminPort}/readyz"));

        ready.StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per partner listener; probes and scrapes still get in");
    }
}
