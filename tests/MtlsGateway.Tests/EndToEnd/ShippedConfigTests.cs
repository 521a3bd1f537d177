using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Cli;
using MtlsGateway.Connections;
using MtlsGateway.Hosting;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The README's promise: the shipped config/gateway.json with the committed certs-dev/ runs, and its curl
/// lines get the answers the README shows.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ShippedConfigTests : IAsyncLifetime
{
    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), "mtlsgw-shipped-" + Guid.NewGuid().ToString("N")[..8]);
    private Microsoft.AspNetCore.Builder.WebApplication _gateway = null!;
    private bool _stopped;

    private const string ShippedFileSink = "Serilog:WriteTo:0:Args:configure:1:Args:";

    public Task InitializeAsync() => StartGatewayAsync();

    private async Task StartGatewayAsync(params (string Key, string Value)[] more)
    {
        var demoPort = RepositoryPaths.FreePort();
        var overrides = new Dictionary<string, string?>
        {
            // Same file, loopback ports chosen at bind so the test never collides with a running demo.
            ["Gateway:Listeners:public:Url"] = "https://127.0.0.1:0",
            ["Gateway:Listeners:plain:Url"] = "http://127.0.0.1:0",
            ["Gateway:Admin:Url"] = "http://127.0.0.1:0",
            ["Gateway:DemoBackend:Url"] = $"http://127.0.0.1:{demoPort}",
            ["ReverseProxy:Clusters:demo:Destinations:echo:Address"] = $"http://127.0.0.1:{demoPort}/",
            [ShippedFileSink + "path"] = Path.Combine(_logDirectory, "gateway-.clef"),
        };
        foreach (var (key, value) in more)
        {
            overrides[key] = value;
        }

        _gateway = GatewayApplication.Build(new GatewayRunOptions { ConfigPath = RepositoryPaths.Combine("config", "gateway.json"), Overrides = overrides });
        _stopped = false;
        await _gateway.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopGatewayAsync();
        if (Directory.Exists(_logDirectory))
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ShippedLogFile_HasEveryEvent_AfterShutdown()
    {
        (await Curl("--cert", Dev("client.crt"), "--key", Dev("client.key"), $"https://localhost:{Port("public")}/orders/7")).ExitCode.Should().Be(0);

        // While running, a line is on disk within the shipped flush interval (1 s), 64 KiB buffer or not.
        await Deploy.Poll.UntilAsync(
            async () => Directory.GetFiles(_logDirectory, "gateway-*.clef") is [var running] ? await ReadSharedAsync(running) : string.Empty,
            text => text.Contains("\"Path\":\"/orders/7\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15), _ => "the request line never reached the log file");

        // The shipped sinks sit behind an async queue and the file behind a 64 KiB buffer: stopping the gateway
        // drains both, nothing is lost.
        await StopGatewayAsync();

        var file = Directory.GetFiles(_logDirectory, "gateway-*.clef").Should().ContainSingle().Subject;
        var text = await File.ReadAllTextAsync(file);
        text.Should().Contain("\"ConfigLoaded\"").And.Contain("\"Path\":\"/orders/7\"");
        text.Should().EndWith("\n", "the last line is whole");
    }

    [Fact]
    public async Task ShippedLogFile_AtItsSizeLimit_RollsToANewFile_LosingNothing()
    {
        // The File sink stops writing a file at its size limit (1 GiB unless set): without rolling, a busy gateway's
        // request lines were dropped until the next day's file. The limit is checked against what reached the disk,
        // so each request waits for the shipped flush (1 s) and with a 1-byte limit every later line needs a new file.
        await StopGatewayAsync();
        if (Directory.Exists(_logDirectory))
        {
            Directory.Delete(_logDirectory, recursive: true);
        }

        await StartGatewayAsync((ShippedFileSink + "fileSizeLimitBytes", "1"));

        for (var order = 1; order <= 3; order++)
        {
            (await Curl("--cert", Dev("client.crt"), "--key", Dev("client.key"), $"https://localhost:{Port("public")}/orders/{order}")).ExitCode.Should().Be(0);
            var line = $"\"Path\":\"/orders/{order}\"";
            await Deploy.Poll.UntilAsync(
                async () => string.Concat(await Task.WhenAll(Directory.GetFiles(_logDirectory, "gateway-*.clef").Select(ReadSharedAsync))),
                text => text.Contains(line, StringComparison.Ordinal), TimeSpan.FromSeconds(15), _ => $"the line of /orders/{order} never reached a log file");
        }

        Directory.GetFiles(_logDirectory, "gateway-*.clef").Should().HaveCountGreaterThanOrEqualTo(3, "each flushed file is at its limit");
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task StopGatewayAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }

    private int Port(string name) => _gateway.Services.GetRequiredService<BoundListeners>().EndPointOf(name).Port;

    [Fact]
    public void ShippedConfig_Validates()
    {
        using var output = new StringWriter();

        ValidateCommand.Execute(RepositoryPaths.Combine("config", "gateway.json"), output).Should().Be(0, output.ToString());
    }

    [Fact]
    public async Task Curl_GoodPartnerCertificate_GetsTheBackendsEcho()
    {
        var result = await Curl("--cert", Dev("client.crt"), "--key", Dev("client.key"), $"https://localhost:{Port("public")}/orders/42");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("\"path\": \"/orders/42\"").And.Contain("\"X-Client-Cert-Verified\": \"SUCCESS\"");
    }

    [Fact]
    public async Task Curl_NoCertificateOnStrictRoute_Gets403Problem()
    {
        var result = await Curl("-w", "\n%{http_code}", $"https://localhost:{Port("public")}/orders/42");

        result.StandardOutput.Should().Contain("\"reason\":\"NoCertificate\"").And.EndWith("403");
    }

    [Fact]
    public async Task Curl_PermissiveRouteWithoutCertificate_OverTlsAndPlaintext()
    {
        var tls = await Curl($"https://localhost:{Port("public")}/status");
        var plain = await Curl($"http://localhost:{Port("plain")}/status");

        tls.StandardOutput.Should().Contain("\"X-Client-Cert-Verified\": \"NONE\"");
        plain.StandardOutput.Should().Contain("\"X-Client-Cert-Verified\": \"NONE\"");
    }

    [Fact]
    public async Task Curl_ExpiredCertificateOnStrictHost_FailsInTheHandshake()
    {
        var port = Port("public");
        var result = await Curl("--cert", Dev("client-expired.crt"), "--key", Dev("client-expired.key"),
            "--resolve", $"orders.partner.test:{port}:127.0.0.1", $"https://orders.partner.test:{port}/anything");

        result.ExitCode.Should().NotBe(0, "the connection is closed before any HTTP response");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Curl_OtherCaSendingItsRoot_IsRefusedUntrustedIssuerAtRequest()
    {
        var result = await Curl("--cert", Dev("client-other-ca.crt"), "--key", Dev("client-other-ca.key"), $"https://localhost:{Port("public")}/orders/1");

        result.StandardOutput.Should().Contain("\"reason\":\"UntrustedIssuer\"");
    }

    [Fact]
    public async Task OpensslSClient_MixedHost_ListsAcceptableCaNames()
    {
        var result = await ProcessRunner.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{Port("public")}", "-servername", "localhost", "-CAfile", Dev("partners-root.crt"), "-verify_return_error"],
            TimeSpan.FromSeconds(30));

        result.Output.Should().Contain("Acceptable client certificate CA names")
            .And.Contain("MtlsGateway Dev Partners Root CA").And.Contain("MtlsGateway Dev Partners Issuing CA");
        result.Output.Should().Contain("Verify return code: 0 (ok)");
    }

    [Fact]
    public async Task Admin_HealthAndReadiness()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port(BoundListeners.AdminName)}/") };

        (await client.GetStringAsync("healthz")).Should().Be("ok\n");
        (await client.GetStringAsync("readyz")).Should().Be("ready\n");
        (await client.GetAsync("nothing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminPaths_AreNotServedOnPartnerListeners()
    {
        var result = await Curl("-w", "\n%{http_code}", $"http://localhost:{Port("plain")}/config");

        result.StandardOutput.Should().EndWith("404").And.NotContain("hash");
    }

    private static string Dev(string file) => RepositoryPaths.Combine("certs-dev", file);

    private static Task<ProcessRunner.Result> Curl(params string[] arguments) =>
        ProcessRunner.RunAsync("curl", ["-sS", "--max-time", "20", "--cacert", Dev("partners-root.crt"), .. arguments], TimeSpan.FromSeconds(30));
}
