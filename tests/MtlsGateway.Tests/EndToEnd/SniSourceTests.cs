using System.Text.Json.Nodes;
using MtlsGateway.Tests.Passthrough;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// The connection's SNI is the one the gateway's own parser read from the peeked ClientHello: the handshake plan, the
/// Host≠SNI check and every event use it. Real .NET clients whose ClientHello is re-framed into 100-byte TLS records
/// (legal, RFC 8446 §5.1; the SNI then sits in the second record, which .NET's own hello parser never reads), each
/// byte its own TCP segment.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SniSourceTests : IAsyncLifetime
{
    private const string IdnHost = "xn--bcher-kva.idn.test"; // bücher.idn.test, as it travels in SNI and Host

    private GatewayTestHost _host = null!;

    // YARP takes IDN route hosts only in Unicode and the gateway only in ASCII: a wildcard route serves them.
    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync((config, _) =>
        config["ReverseProxy"]!["Routes"]!["idn"] = new JsonObject
        {
            ["ClusterId"] = "echo",
            ["AuthorizationPolicy"] = "open-status",
            ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("*.idn.test"), ["Path"] = "/{**rest}" },
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Stream HundredByteRecords(Stream network) => new FragmentingStream(network, 100);

    /// <summary>One HTTP/2 request by curl, without a client certificate: status ("000" when none), HTTP version, exit code.</summary>
    private async Task<(string Status, string Version, int ExitCode)> CurlHttp2Async(int port, string sni, string authority)
    {
        var result = await ProcessRunner.RunAsync("curl",
        [
            "--silent", "--http2", "--max-time", "15", "--resolve", $"{sni}:{port}:127.0.0.1", "--cacert", _host.Pki("partners-root.crt"),
            "--header", $"Host: {authority}", "--output", "/dev/null", "--write-out", "%{http_code} %{http_version}",
            $"https://{sni}:{port}/anything",
        ], TimeSpan.FromSeconds(30));
        var parts = result.StandardOutput.Trim().Split(' ');
        return (parts[0], parts.Length > 1 ? parts[1] : string.Empty, result.ExitCode);
    }

    [Fact]
    public async Task StrictHost_HelloInHundredByteRecords_NoCertificate_IsRefusedInTheHandshake()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "strict.partner.test", wrap: HundredByteRecords);

        outcome.Completed.Should().BeFalse("every route of strict.partner.test is Strict: no certificate, no handshake");
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("NoCertificate");
        LogSink.Property(logged, "Sni").Should().Be("strict.partner.test");
        LogSink.Property(logged, "FailedSide").Should().Be("gateway");
        LogSink.Property(logged, "Policy").Should().Be("acme-orders");
        _host.Logs.Named("RequestRejected").Should().BeEmpty("the refusal is the handshake's, not an HTTP 403");
    }

    [Fact]
    public async Task OpenSni_HostStrict_HelloInHundredByteRecords_Is421HostMismatch()
    {
        var response = await TlsProbe.ExchangeAsync(_host.Port(), "open.partner.test",
            "GET /anything HTTP/1.1\r\nHost: strict.partner.test\r\nConnection: close\r\n\r\n", wrap: HundredByteRecords);

        response.Should().StartWith("HTTP/1.1 421").And.Contain("\"reason\":\"HostMismatch\"").And.NotContain("demo echo");
        var logged = await _host.Logs.WaitForAsync("RequestRejected");
        LogSink.Property(logged, "Reason").Should().Be("HostMismatch");
        LogSink.Property(logged, "Sni").Should().Be("open.partner.test");
        LogSink.Property(logged, "Host").Should().Be("strict.partner.test");
    }

    [Fact]
    public async Task OpenSni_SameHost_HelloInHundredByteRecords_IsServed()
    {
        var response = await TlsProbe.ExchangeAsync(_host.Port(), "open.partner.test",
            "GET /anything HTTP/1.1\r\nHost: open.partner.test\r\nConnection: close\r\n\r\n", wrap: HundredByteRecords);

        response.Should().StartWith("HTTP/1.1 200").And.Contain("demo echo");
        _host.Logs.Named("RequestRejected").Should().BeEmpty();
    }

    [Fact]
    public async Task Http2_OpenSni_AuthorityStrict_HelloInHundredByteRecords_Is421HostMismatch()
    {
        // curl sends a custom Host as HTTP/2's :authority; the relay splits its hello.
        await using var relay = new ReframingRelay(_host.Port(), 100);

        var (status, version, _) = await CurlHttp2Async(relay.Port, "open.partner.test", "strict.partner.test");

        (status, version).Should().Be(("421", "2"));
        var logged = await _host.Logs.WaitForAsync("RequestRejected");
        LogSink.Property(logged, "Reason").Should().Be("HostMismatch");
        LogSink.Property(logged, "Sni").Should().Be("open.partner.test");
    }

    [Fact]
    public async Task Http2_StrictHost_HelloInHundredByteRecords_NoCertificate_IsRefusedInTheHandshake()
    {
        await using var relay = new ReframingRelay(_host.Port(), 100);

        var (status, _, exitCode) = await CurlHttp2Async(relay.Port, "strict.partner.test", "strict.partner.test");

        status.Should().Be("000", "no HTTP response: the handshake itself was refused");
        exitCode.Should().NotBe(0);
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("NoCertificate");
        LogSink.Property(logged, "Sni").Should().Be("strict.partner.test");
        _host.Logs.Named("RequestRejected").Should().BeEmpty();
    }

    [Fact]
    public async Task IdnSni_HostTheSameAceName_IsServedNot421()
    {
        // The SNI stays as sent (ASCII); ASP.NET Core decodes the Host to "bücher.idn.test": still the same name.
        var response = await TlsProbe.ExchangeAsync(_host.Port(), IdnHost,
            $"GET /anything HTTP/1.1\r\nHost: {IdnHost}\r\nConnection: close\r\n\r\n");

        response.Should().StartWith("HTTP/1.1 200").And.Contain("demo echo");
        _host.Logs.Named("RequestRejected").Should().BeEmpty();
    }

    [Fact]
    public async Task IdnSni_HostAnotherName_Is421WithTheAceNameInTheEvent()
    {
        // .NET's ClientHelloInfo.ServerName says "bücher.idn.test"; the wire, the certificate and passthrough say xn--.
        var response = await TlsProbe.ExchangeAsync(_host.Port(), IdnHost,
            "GET /anything HTTP/1.1\r\nHost: strict.partner.test\r\nConnection: close\r\n\r\n");

        response.Should().StartWith("HTTP/1.1 421");
        LogSink.Property(await _host.Logs.WaitForAsync("RequestRejected"), "Sni").Should().Be(IdnHost);
    }
}
