using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>
/// Issue 24, item 4: the admin listener (no authentication, partner identities) binds an address other hosts can reach
/// only when <c>Gateway:Admin:AllowRemote</c> says so; otherwise validate and run refuse it at Gateway:Admin:Url with
/// what to do.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AdminExposureTests
{
    [Theory]
    [InlineData("http://0.0.0.0:9901")]
    [InlineData("http://[::]:9901")]
    [InlineData("http://*:9901")]
    [InlineData("http://10.1.2.3:9901")]
    public async Task Validate_AdminUrlOtherHostsReach_RefusedAtTheAdminUrlWithWhatToDo(string url)
    {
        using var folder = new ConfigFolder();

        var result = await GatewayCli.RunAsync(new Dictionary<string, string> { ["Gateway__Admin__Url"] = url }, "validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain($"Gateway:Admin:Url: '{url}' is reachable from other hosts")
            .And.Contain("set Gateway:Admin:AllowRemote to true").And.Contain("NetworkPolicy").And.Contain("Gateway:Admin:AllowedHosts")
            .And.Contain("docs/deploy.md");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9901", false)]
    [InlineData("http://localhost:9901", false)]
    [InlineData("http://[::1]:9901", false)]
    [InlineData("http://0.0.0.0:9901", true)]
    public async Task Validate_AdminUrlOnLoopbackOrAllowedRemote_Passes(string url, bool allowRemote)
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Admin"] = new JsonObject { ["Url"] = url, ["AllowRemote"] = allowRemote });

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(0, result.Output);
    }

    [Fact]
    public async Task Run_AdminUrlOtherHostsReach_ExitsWithTheErrorBeforeListening()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Admin"] = new JsonObject { ["Url"] = "http://0.0.0.0:0" });

        var result = await GatewayCli.RunAsync("run", "--config", folder.ConfigPath);

        result.ExitCode.Should().NotBe(0, result.Output);
        result.Output.Should().Contain("Gateway:Admin:Url: 'http://0.0.0.0:0' is reachable from other hosts");
    }

    [Fact]
    public async Task AllowRemote_AdminOnEveryAddress_ServesHealthz()
    {
        await using var host = await GatewayTestHost.StartAsync((c, _) => c["Gateway"]!["Admin"] = new JsonObject { ["Url"] = "http://0.0.0.0:0", ["AllowRemote"] = true });
        using var client = new HttpClient();

        var body = await client.GetStringAsync(new Uri($"http://127.0.0.1:{host.AdminPort}/healthz"));

        body.Should().Be("ok\n");
    }
}
