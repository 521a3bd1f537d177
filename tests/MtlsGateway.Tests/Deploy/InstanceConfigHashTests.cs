using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// Issue 24, item 5: instances that read one file and differ only in where they listen (ports by environment, as pods
/// and instances on one host do) show one <c>/config</c> hash; a change of what they do (an allowlist) changes it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class InstanceConfigHashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoInstancesOfOneFile_OnDifferentPorts_ShowOneHash_AndAnAllowlistChangeChangesIt()
    {
        using var folder = new ConfigFolder();
        await using var first = GatewayInstance.Start("hash-a", folder.ConfigPath);
        await using var second = GatewayInstance.Start("hash-b", folder.ConfigPath,
            new Dictionary<string, string?> { ["Gateway__Listeners__plain__Url"] = $"http://127.0.0.1:{RepositoryPaths.FreePort()}" });
        await Task.WhenAll(first.WaitReadyAsync(Patience), second.WaitReadyAsync(Patience));
        first.Port.Should().NotBe(second.Port);

        var before = (await first.ConfigAsync()).Hash;
        (await second.ConfigAsync()).Hash.Should().Be(before, "the instances differ only in their listen URLs");

        var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(folder.ConfigPath))!;
        config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"]!["CommonNames"] = new JsonArray("acme-orders-client", "globex-client");
        await GatewayTestHost.ReplaceFileAsync(folder.ConfigPath, config.ToJsonString());
        var (a, b) = await Poll.UntilAsync(async () => (await first.ConfigAsync(), await second.ConfigAsync()),
            r => r.Item1.Version == 2 && r.Item2.Version == 2, Patience, r => $"both reloaded (versions {r.Item1.Version}, {r.Item2.Version})");

        a.Hash.Should().NotBe(before, "an allowlist changed");
        b.Hash.Should().Be(a.Hash);
    }
}
