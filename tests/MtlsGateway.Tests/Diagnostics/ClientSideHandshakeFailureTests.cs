using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;
using Serilog.Events;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>Handshakes the CLIENT ends — it distrusts our certificate, speaks an old TLS version, shares no cipher,
/// sends garbage or nothing — are still one <c>HandshakeFailed</c> each, with the reason, a hint naming the fix and
/// <c>FailedSide</c> client, although Kestrel itself only writes a debug line for them.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ClientSideHandshakeFailureTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync(ShortHandshakeTimeout);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    internal static void ShortHandshakeTimeout(JsonObject config, string directory) =>
        config["Gateway"]!["Listeners"]!["public"]!["HandshakeTimeout"] = "00:00:01";

    [Fact]
    public async Task ClientRejectsServerCertificate_CurlWithoutOurCa_IsUntrustedIssuerOnClientSide()
    {
        // curl trusts only the system store here, which does not hold the gateway's CA. It sends alert unknown_ca,
        // or hangs up right after our certificate arrived (the gateway then sees an EOF mid-handshake): both are
        // the client refusing our certificate, and the hint says what to give it.
        var port = _host.Port();
        var result = await ProcessRunner.RunAsync("curl",
            ["-sS", "--max-time", "10", "--resolve", $"strict.partner.test:{port}:127.0.0.1", $"https://strict.partner.test:{port}/"],
            TimeSpan.FromSeconds(20));

        result.ExitCode.Should().Be(60, "curl's exit code for a server certificate it cannot verify: " + result.Output);
        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Sni").Should().Be("strict.partner.test");
        LogSink.Property(logged, "Hint").Should().Contain("our server certificate 'CN=localhost")
            .And.Contain("SNI 'strict.partner.test'").And.Contain("add the CA 'CN=MtlsGateway Dev Partners Root CA");
    }

    [Fact]
    public async Task ClientRejectsServerCertificate_OpensslWrongCa_IsUntrustedIssuerWithAlert()
    {
        var result = await OpensslAsync("-servername", "localhost", "-CAfile", _host.Pki("other-root.crt"), "-verify_return_error");

        result.ExitCode.Should().NotBe(0);
        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Hint").Should().Contain("unknown ca").And.Contain("trust store");
    }

    [Fact]
    public async Task Tls11OnlyClient_IsProtocolMismatch()
    {
        var result = await OpensslAsync("-servername", "localhost", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");

        result.ExitCode.Should().NotBe(0);
        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("ProtocolMismatch");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Hint").Should().Contain("TLS 1.2 and 1.3");
    }

    [Fact]
    public async Task NoSharedCipher_IsProtocolMismatch()
    {
        var result = await OpensslAsync("-servername", "localhost", "-tls1_2", "-cipher", "AES128-GCM-SHA256");

        result.ExitCode.Should().NotBe(0);
        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("ProtocolMismatch");
        LogSink.Property(logged, "Hint").Should().Contain("cipher");
    }

    [Fact]
    public async Task NoSharedAlpn_OpensslAlpnFoo_IsProtocolMismatch()
    {
        // Kestrel does not fall back to no ALPN: it answers alert no_application_protocol.
        var result = await OpensslAsync("-servername", "localhost", "-alpn", "foo");

        result.Output.Should().Contain("no application protocol");
        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("ProtocolMismatch");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Hint").Should().Contain("ALPN").And.Contain("h2, http/1.1");
    }

    [Fact]
    public async Task PlainHttpToTlsListener_IsProtocolMismatch()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _host.Port());
        await tcp.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());

        var logged = await SingleHandshakeFailureAsync();
        LogSink.Property(logged, "Reason").Should().Be("ProtocolMismatch");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Hint").Should().Contain("plain HTTP").And.Contain("https://");
    }

    [Fact]
    public async Task PlainHttpThenGarbage_FromOneAddress_AreTwoEventsNotOneSummary()
    {
        // The throttle summarises repeats of one (Reason, source): a misconfigured http:// client and a scanner's
        // garbage from the same address are different problems, and each gets its own first event.
        foreach (var bytes in new[] { "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), [0x01, 0x02, 0x03, 0xFF] })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _host.Port());
            await tcp.GetStream().WriteAsync(bytes);
            // Closed by the gateway once it has decided (and logged): EOF or reset.
            await ReadToCloseAsync(tcp.GetStream());
        }

        _host.Logs.Named("HandshakeFailed").Select(e => LogSink.Property(e, "Reason"))
            .Should().Equal("ProtocolMismatch", "MalformedClientHello");
    }

    [Theory]
    [InlineData(new byte[0])]
    // A TLS handshake record header announcing 512 bytes, then nothing more.
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 })]
    public async Task SilentOrStalledClient_AfterListenerHandshakeTimeout_IsHandshakeTimeout(byte[] sent)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _host.Port());
        await tcp.GetStream().WriteAsync(sent);

        // The listener's HandshakeTimeout is 1 s in this test's config; the wait is bounded well above it.
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed", timeout: TimeSpan.FromSeconds(10));
        _host.Logs.Named("HandshakeFailed").Should().HaveCount(1);
        LogSink.Property(logged, "Reason").Should().Be("HandshakeTimeout");
        LogSink.Property(logged, "FailedSide").Should().Be("client");
        LogSink.Property(logged, "Hint").Should().Contain("1 s").And.Contain("Gateway:Listeners:public:HandshakeTimeout");
    }

    private static async Task ReadToCloseAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    private async Task<LogEvent> SingleHandshakeFailureAsync()
    {
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed");
        _host.Logs.Named("HandshakeFailed").Should().HaveCount(1);
        return logged;
    }

    private Task<ProcessRunner.Result> OpensslAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{_host.Port()}", .. arguments], TimeSpan.FromSeconds(20));
}
