using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.ProxyProtocol;

/// <summary>
/// A real gateway whose TLS listener requires PROXY protocol and whose plaintext listener accepts it optionally,
/// both trusting only 127.0.0.1 (the "balancer"): the carried address becomes the client address in X-Forwarded-For,
/// request and refusal logs; connections without a valid header, or with one from 127.0.0.2, are refused, logged
/// and counted.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ProxyProtocolEndToEndTests : IAsyncLifetime
{
    private static readonly IPEndPoint GatewayAddress = new(IPAddress.Parse("198.51.100.1"), 443);
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync((config, _) =>
    {
        var listeners = config["Gateway"]!["Listeners"]!;
        listeners["public"]!["ProxyProtocol"] = new JsonObject { ["Mode"] = "Required", ["TrustedNetworks"] = new JsonArray("127.0.0.1/32") };
        listeners["plain"]!["ProxyProtocol"] = new JsonObject { ["Mode"] = "Optional", ["TrustedNetworks"] = new JsonArray("127.0.0.1") };
        listeners["plain"]!["HandshakeTimeout"] = "00:00:01";
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Request_V2HeaderFromTrustedBalancer_CarriedAddressIsTheClientInForwardedForLogsAndMetrics()
    {
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234);
        using var http = BalancerClient.CreateHttpClient(_host, ProxyHeaders.V2(client, GatewayAddress, ProxyHeaders.Tlv(0x01, "h2"u8.ToArray())));

        var response = await http.GetAsync("/orders/1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ForwardedFor(await response.Content.ReadAsStringAsync()).Should().Be("203.0.113.7");
        var logged = await _host.Logs.WaitForAsync("RequestCompleted");
        LogSink.Property(logged, "RemoteIp").Should().Be("203.0.113.7");
        var metrics = await PrometheusText.ScrapeAsync(_host.AdminPort);
        metrics.Sum("mtls_gateway_proxy_protocol_headers_total", ("listener", "public"), ("version", "2")).Should().Be(1);
    }

    [Fact]
    public async Task Request_V1HeaderOnOptionalListener_CarriedIpv6AddressIsForwarded()
    {
        var client = new IPEndPoint(IPAddress.Parse("2001:db8::42"), 40000);
        using var http = BalancerClient.CreateHttpClient(_host, ProxyHeaders.V1(client, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 80)), "plain", certificate: null);

        var response = await http.GetAsync("/status");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ForwardedFor(await response.Content.ReadAsStringAsync()).Should().Be("2001:db8::42");
    }

    [Fact]
    public async Task Request_NoHeaderOnOptionalListener_IsServedWithThePeerAddress()
    {
        using var http = BalancerClient.CreateHttpClient(_host, [], "plain", certificate: null, from: BalancerClient.Outsider);

        var response = await http.GetAsync("/status");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ForwardedFor(await response.Content.ReadAsStringAsync()).Should().Be("127.0.0.2");
    }

    [Fact]
    public async Task Request_RefusedCertificateThroughBalancer_RequestRejectedNamesTheCarriedAddress()
    {
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.8"), 40001);
        using var http = BalancerClient.CreateHttpClient(_host, ProxyHeaders.V2(client, GatewayAddress), certificate: "client-expired");

        (await http.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var refusal = await _host.Logs.WaitForAsync("RequestRejected");
        LogSink.Property(refusal, "RemoteIp").Should().Be("203.0.113.8");
        LogSink.Property(refusal, "RemotePort").Should().Be("40001");
    }

    [Fact]
    public async Task Handshake_NoCertificateThroughBalancer_HandshakeFailedNamesTheCarriedAddress()
    {
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40002);
        using var socket = await BalancerClient.ConnectAsync(_host.Port(), BalancerClient.Balancer, ProxyHeaders.V2(client, GatewayAddress));
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, (_, server, _, _) => server is not null);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "strict.partner.test" });
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: strict.partner.test\r\n\r\n"u8.ToArray());
            _ = await tls.ReadAsync(new byte[1]);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Either side of the refusal is fine here: the assertion is on the gateway's log.
        }

        var refusal = await _host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(refusal, "RemoteIp").Should().Be("203.0.113.9");
        LogSink.Property(refusal, "Reason").Should().Be("NoCertificate");
    }

    public static TheoryData<string, string, byte[], string, string> Refusals() => new()
    {
        { "public", "127.0.0.2", ProxyHeaders.V2(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 1), GatewayAddress), "UntrustedSource", "not in Gateway:Listeners:public:ProxyProtocol:TrustedNetworks" },
        { "public", "127.0.0.1", [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00], "MissingHeader", "requires one" },
        { "public", "127.0.0.1", Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 99999 443\r\n"), "InvalidHeader", "port" },
        { "plain", "127.0.0.2", ProxyHeaders.V1(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 1), GatewayAddress), "UntrustedSource", "a client must not choose the address" },
        { "plain", "127.0.0.1", Encoding.ASCII.GetBytes("PROXY TCP4 203.0.1"), "HeaderTimeout", "only 18 bytes" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Connection_WithoutAValidTrustedHeader_IsClosedLoggedWithRealPeerAndCounted(string listener, string from, byte[] bytes, string reason, string hint)
    {
        using var socket = await BalancerClient.ConnectAsync(_host.Port(listener), IPAddress.Parse(from), bytes);

        (await BalancerClient.BytesUntilClosedAsync(socket, TimeSpan.FromSeconds(15))).Should().Be(0, "the gateway answers nothing to a refused connection");

        var refusal = await _host.Logs.WaitForAsync("ProxyProtocolRefused");
        LogSink.Property(refusal, "Reason").Should().Be(reason);
        LogSink.Property(refusal, "RemoteIp").Should().Be(from, "the refusal names the real TCP peer");
        LogSink.Property(refusal, "Listener").Should().Be(listener);
        LogSink.Property(refusal, "Hint").Should().Contain(hint);
        _host.Logs.Named("HandshakeFailed").Should().BeEmpty("the connection never reached TLS");
        var metrics = await PrometheusText.ScrapeAsync(_host.AdminPort);
        metrics.Sum("mtls_gateway_proxy_protocol_refusals_total", ("listener", listener), ("reason", reason)).Should().Be(1);
    }

    private static string? ForwardedFor(string echo) =>
        JsonDocument.Parse(echo).RootElement.GetProperty("headers").TryGetProperty("X-Forwarded-For", out var value) ? value.GetString() : null;
}
