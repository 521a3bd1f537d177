using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Configuration;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>
/// Issue 20, item 9: the admin listener answers only a Host that names it (DNS rebinding). With curl against a real
/// gateway: its address, localhost and [::1] on a loopback listener, and Gateway:Admin:AllowedHosts are served;
/// <c>Host: evil.test</c> gets 421 with a short text that does not echo the name.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AdminHostTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("localhost")]
    [InlineData("LOCALHOST.")]
    [InlineData("[::1]")]
    public async Task Healthz_HostNamingTheLoopbackListener_Served(string? host)
    {
        var (status, body) = await CurlAsync("/healthz", host);

        (status, body).Should().Be((200, "ok\n"));
    }

    [Theory]
    [InlineData("evil.test", "/config")]
    [InlineData("localhost.evil.test", "/metrics")]
    [InlineData("10.0.0.1", "/config")]
    public async Task AnyPath_HostOfAnotherName_Refused421WithoutEchoingIt(string host, string path)
    {
        var (status, body) = await CurlAsync(path, host);

        status.Should().Be(421);
        body.Should().Contain("Gateway:Admin:AllowedHosts").And.NotContain(host).And.NotContain("version");
    }

    [Fact]
    public async Task AllowedHosts_AfterReload_ServesTheListedNameOnly()
    {
        (await CurlAsync("/healthz", "mtls-gateway-admin.mtls-gateway.svc")).Status.Should().Be(421, "not listed yet");

        await _host.EditConfigAsync(c => c["Gateway"]!["Admin"]!["AllowedHosts"] = new JsonArray("mtls-gateway-admin.mtls-gateway.svc"));
        await _host.WaitForReloadAsync(2);

        (await CurlAsync("/healthz", "Mtls-Gateway-Admin.mtls-gateway.svc")).Should().Be((200, "ok\n"));
        (await CurlAsync("/healthz", "mtls-gateway-admin.mtls-gateway.svc.evil.test")).Status.Should().Be(421);
    }

    [Theory]
    [InlineData("0.0.0.0", "10.1.2.3", "10.1.2.3", true)] // a pod scraped by its IP
    [InlineData("0.0.0.0", "10.1.2.3", "10.9.9.9", false)]
    [InlineData("0.0.0.0", "10.1.2.3", "localhost", true)]
    [InlineData("::", "::ffff:10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.3", "localhost", false)]
    [InlineData("10.1.2.3", "10.1.2.3", "127.0.0.1", false)]
    [InlineData("127.0.0.1", "127.0.0.1", "2130706433", false)] // 127.0.0.1 as one number: a name here, not an address
    [InlineData("10.1.2.3", "10.1.2.3", "", true)] // HTTP/1.0 without Host: HAProxy's httpchk, never a browser
    public void Allows_BoundLocalAndHost(string bound, string local, string host, bool allowed) =>
        AdminHosts.Allows(host, IPAddress.Parse(local), IPAddress.Parse(bound), []).Should().Be(allowed);

    /// <summary>Status and body of <c>curl http://127.0.0.1:{admin}{path}</c>, with <c>-H "Host: {host}"</c> when given.</summary>
    private async Task<(int Status, string Body)> CurlAsync(string path, string? host)
    {
        var arguments = new List<string> { "-sS", "--max-time", "10", "-w", "\n%{http_code}", $"http://127.0.0.1:{_host.AdminPort}{path}" };
        if (host is not null)
        {
            arguments.AddRange(["-H", $"Host: {host}"]);
        }

        var result = await ProcessRunner.RunAsync("curl", arguments, TimeSpan.FromSeconds(20));
        result.ExitCode.Should().Be(0, result.Output);
        var split = result.StandardOutput.LastIndexOf('\n');
        return (int.Parse(result.StandardOutput[(split + 1)..], CultureInfo.InvariantCulture), result.StandardOutput[..split]);
    }
}
