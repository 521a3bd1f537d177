using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 20, item 8: a protocol upgrade (HTTP/1.1 <c>Upgrade</c>, HTTP/2 extended CONNECT) reaches the backend only on
/// a route whose metadata says <c>"Gateway.AllowUpgrade": "WebSocket"</c>; elsewhere it is refused 403 problem+json
/// <c>UpgradeNotAllowed</c> and the backend, which would answer 101 to anything, is never contacted.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class UpgradeRouteTests : IAsyncLifetime, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private WebApplication _backend = null!;
    private GatewayTestHost _host = null!;
    private int _backendRequests;

    public async Task InitializeAsync()
    {
        _backend = LoopbackApp.CreateBuilder().Build();
        _backend.UseWebSockets();
        _backend.Run(async context =>
        {
            Interlocked.Increment(ref _backendRequests);
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await context.Response.WriteAsync("plain");
                return;
            }

            // An echo of one message, then a clean close.
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[256];
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        });
        await _backend.StartAsync();
        var address = LoopbackApp.Address(_backend);

        _host = await GatewayTestHost.StartAsync((config, _) =>
        {
            var routes = (JsonObject)config["ReverseProxy"]!["Routes"]!;
            routes["ws"] = JsonNode.Parse("""
                { "ClusterId": "echo", "AuthorizationPolicy": "acme-orders", "Match": { "Hosts": [ "localhost" ], "Path": "/ws" },
                  "Metadata": { "Gateway.AllowUpgrade": "WebSocket" } }
                """);
            routes["no-ws"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "acme-orders", "Match": { "Hosts": [ "localhost" ], "Path": "/no-ws" } }""");
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = address + "/";
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _backend.StopAsync();
        await _backend.DisposeAsync();
    }

    public void Dispose() => _timeout.Dispose();

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task WebSocket_OnARouteThatAllowsIt_EchoesThroughTheGateway(string version)
    {
        using var socket = NewClientSocket(version);

        await socket.ConnectAsync(new Uri($"wss://localhost:{_host.Port()}/ws"), new HttpMessageInvoker(_host.CreateHandler(_host.ClientCertificate("client"))), Timeout());
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, endOfMessage: true, Timeout());
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, Timeout());

        socket.HttpStatusCode.Should().Be(version == "2.0" ? HttpStatusCode.OK : HttpStatusCode.SwitchingProtocols);
        Encoding.UTF8.GetString(buffer, 0, received.Count).Should().Be("hello");
        _backendRequests.Should().Be(1);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task WebSocket_OnARouteWithoutTheSwitch_Refused403AndTheBackendNeverContacted(string version)
    {
        using var socket = NewClientSocket(version);

        var connect = () => socket.ConnectAsync(new Uri($"wss://localhost:{_host.Port()}/no-ws"),
            new HttpMessageInvoker(_host.CreateHandler(_host.ClientCertificate("client"))), Timeout());

        await connect.Should().ThrowAsync<WebSocketException>();
        socket.HttpStatusCode.Should().Be(HttpStatusCode.Forbidden);
        var logged = await _host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "Route") == "no-ws");
        LogSink.Property(logged, "Reason").Should().Be("UpgradeNotAllowed");
        LogSink.Property(logged, "Hint").Should().Contain("ReverseProxy:Routes:no-ws:Metadata:Gateway.AllowUpgrade");
        _backendRequests.Should().Be(0);
    }

    [Theory]
    [InlineData("/no-ws", "websocket")]
    [InlineData("/ws", "tunnel")]
    [InlineData("/ws", "websocket, tunnel")]
    public async Task Http11Upgrade_ToAProtocolTheRouteDoesNotAllow_Refused403ProblemJson(string path, string protocols)
    {
        var (status, body) = await SpoofingRawHttp.SendAsync(_host, "public", "localhost", path,
            ["Connection: Upgrade", $"Upgrade: {protocols}", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"],
            _host.ClientCertificate("client"));

        status.Should().Be(403, body);
        body.Should().Contain("\"reason\":\"UpgradeNotAllowed\"").And.Contain("does not accept a protocol upgrade");
        _backendRequests.Should().Be(0);
    }

    [Fact]
    public async Task CurlHttp2OverPlainHttp_H2cUpgradeOffer_RefusedLikeAnyUpgrade()
    {
        // curl --http2 on http:// offers "Upgrade: h2c"; Kestrel reports it as an upgradable request, which YARP would
        // tunnel to a backend answering 101, so it is refused like any other upgrade the route does not list.
        var result = await ProcessRunner.RunAsync("curl",
            ["-sS", "--http2", "--max-time", "10", "-H", "Host: localhost", "-w", "\n%{http_code}", $"http://127.0.0.1:{_host.Port("plain")}/status"],
            TimeSpan.FromSeconds(20));

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("\"reason\":\"UpgradeNotAllowed\"").And.EndWith("\n403");
        _backendRequests.Should().Be(0);
    }

    [Fact]
    public async Task PlainRequest_OnARouteWithoutTheSwitch_StillServed()
    {
        using var client = _host.CreateClient("localhost", "client");

        var body = await client.GetStringAsync("/no-ws");

        body.Should().Be("plain");
    }

    private static ClientWebSocket NewClientSocket(string version)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = Version.Parse(version);
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        return socket;
    }

    private CancellationToken Timeout() => _timeout.Token;
}
