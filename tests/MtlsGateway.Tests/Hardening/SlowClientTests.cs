using System.Net;
using System.Text;
using MtlsGateway.Tests.Passthrough;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Slowloris and friends against a real gateway: a connection that sends nothing, a ClientHello one byte at a time,
/// request headers or a body trickled — each closed at its configured timeout or rate (<c>HandshakeTimeout</c>,
/// <c>Gateway:Limits</c>), while a good client keeps being served during the attack.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SlowClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private FaultyBackend _backend = null!;
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _backend = await FaultyBackend.StartAsync();
        _host = await GatewayTestHost.StartAsync((config, _) =>
        {
            config["Gateway"]!["Listeners"]!["public"]!["HandshakeTimeout"] = "00:00:01";
            HardeningConfig.Limits(config, ("RequestHeadersTimeout", "00:00:01"), ("MinRequestBodyDataRate", 1000), ("MinDataRateGracePeriod", "00:00:02"));
            HardeningConfig.FaultyRoutes(config, _backend.Address);
        });
    }

    [Fact]
    public async Task IdleConnection_SendsNothing_IsClosedAtHandshakeTimeout()
    {
        using var socket = await SlowClient.ConnectAsync(_host.Port());
        await using var stream = new System.Net.Sockets.NetworkStream(socket);

        var outcome = await SlowClient.TrickleAsync(stream, [], 1, TimeSpan.Zero, Patience);

        outcome.ClosedByServer.Should().BeTrue("HandshakeTimeout is 1 s; the client waited {0}", Patience);
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "Reason") == "HandshakeTimeout");
        LogSink.Property(logged, "Hint").Should().Contain("sent nothing");
    }

    [Fact]
    public async Task ClientHello_OneByteAtATime_IsClosedAtHandshakeTimeout()
    {
        var hello = await ClientHellos.CaptureAsync("localhost", "http/1.1");
        using var socket = await SlowClient.ConnectAsync(_host.Port());
        await using var stream = new System.Net.Sockets.NetworkStream(socket);

        // One byte per 100 ms: the whole hello would take over 50 s.
        var outcome = await SlowClient.TrickleAsync(stream, hello, 1, TimeSpan.FromMilliseconds(100), Patience);

        outcome.ClosedByServer.Should().BeTrue();
        outcome.BytesSent.Should().BeLessThan(hello.Length, "the gateway gave up before the hello was complete");
        await _host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "Reason") == "HandshakeTimeout"
            && LogSink.Property(e, "Hint")!.Contains("bytes of its ClientHello", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestHeaders_Trickled_AreClosedAtRequestHeadersTimeout()
    {
        await using var tls = await SlowClient.ConnectTlsAsync(_host.Port(), "localhost", _host.ClientCertificate("client"));
        var request = Encoding.ASCII.GetBytes($"GET /orders/1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: {new string('a', 200)}\r\n\r\n");

        var outcome = await SlowClient.TrickleAsync(tls, request, 1, TimeSpan.FromMilliseconds(100), Patience);

        outcome.ClosedByServer.Should().BeTrue("RequestHeadersTimeout is 1 s");
        outcome.BytesSent.Should().BeLessThan(request.Length);
        outcome.Answer.Should().NotContain("200 OK", "a request whose headers never finished reaches no backend");
    }

    [Fact]
    public async Task RequestBody_Trickled_IsClosedAtMinimumDataRate()
    {
        await using var tls = await SlowClient.ConnectTlsAsync(_host.Port(), "localhost", _host.ClientCertificate("client"));
        var headers = Encoding.ASCII.GetBytes("POST /drain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n");
        await tls.WriteAsync(headers);

        // 10 bytes per 100 ms is ~100 bytes/s, a tenth of MinRequestBodyDataRate: closed after the 2 s grace period.
        var outcome = await SlowClient.TrickleAsync(tls, new byte[100_000], 10, TimeSpan.FromMilliseconds(100), Patience);

        outcome.ClosedByServer.Should().BeTrue("MinRequestBodyDataRate is 1000 bytes/s with a 2 s grace period");
        outcome.BytesSent.Should().BeLessThan(100_000);
        outcome.Answer.Should().NotContain("200 OK", "the backend never got the whole body");
    }

    [Fact]
    public async Task GoodClient_DuringSlowClientAttack_IsServed()
    {
        var hello = await ClientHellos.CaptureAsync("localhost", "http/1.1");
        using var stop = new CancellationTokenSource(Patience);
        var attackers = new List<Task<SlowClient.Outcome>>();
        for (var i = 0; i < 20; i++)
        {
            attackers.Add(Attack(async () => new System.Net.Sockets.NetworkStream(await SlowClient.ConnectAsync(_host.Port()), ownsSocket: true), []));
            attackers.Add(Attack(async () => new System.Net.Sockets.NetworkStream(await SlowClient.ConnectAsync(_host.Port()), ownsSocket: true), hello));
            attackers.Add(Attack(async () => await SlowClient.ConnectTlsAsync(_host.Port(), "localhost", _host.ClientCertificate("client")),
                Encoding.ASCII.GetBytes($"GET /orders/1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: {new string('a', 200)}\r\n\r\n")));
        }

        using var client = _host.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(new Uri($"/orders/{i}", UriKind.Relative));
            response.StatusCode.Should().Be(HttpStatusCode.OK, "good clients are served while 60 slow ones hold connections");
        }

        var outcomes = await Task.WhenAll(attackers);
        outcomes.Should().OnlyContain(o => o.ClosedByServer, "every slow client is closed at its timeout");
    }

    private static async Task<SlowClient.Outcome> Attack(Func<Task<Stream>> connect, byte[] bytes)
    {
        await using var stream = await connect();
        return await SlowClient.TrickleAsync(stream, bytes, 1, TimeSpan.FromMilliseconds(100), Patience);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
