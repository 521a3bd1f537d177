using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// SIGHUP (systemd's ExecReload) makes the real gateway process look at its files at once — with the file watch off,
/// so only the signal can have applied the change — and never ends it (SIGHUP's default action).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ReloadSignalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sighup_AppliesAChangeAtOnce_AndKeepsRunning()
    {
        using var folder = new ConfigFolder();
        await using var gateway = GatewayInstance.Start("sighup", folder.ConfigPath, new Dictionary<string, string?> { ["Gateway__Reload__Enabled"] = "false" });
        await gateway.WaitReadyAsync(Patience);
        (await gateway.ConfigAsync()).Version.Should().Be(1);

        await ChangeAndSignalAsync("someone-else");
        (await VersionAsync(2)).Should().Be(2, "SIGHUP applied the change with the file watch off");

        await gateway.Process.SignalAsync("HUP"); // nothing changed: looks, applies nothing, and the process lives on
        await ChangeAndSignalAsync("someone-else-again");
        (await VersionAsync(3)).Should().Be(3, "a second SIGHUP works as well: the first did not end the process");
        gateway.Process.HasExited.Should().BeFalse(gateway.Process.Tail());

        async Task ChangeAndSignalAsync(string commonName)
        {
            var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(folder.ConfigPath))!;
            config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray(commonName) };
            folder.Write(config);
            await gateway.Process.SignalAsync("HUP");
        }

        Task<long> VersionAsync(long expected) => Poll.UntilAsync(async () => (await gateway.ConfigAsync()).Version, v => v >= expected, Patience, v => $"configuration version {expected} (is {v})\n{gateway.Process.Tail()}");

    }
}
