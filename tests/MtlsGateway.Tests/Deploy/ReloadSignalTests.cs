using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// SIGHUP (systemd's ExecReload) makes the real gateway process look at its files at once — with the file watch off,
/// so only the signal can have applied the change — and never ends it (SIGHUP's default action).
/// </summary>
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

        await gateway.Process.SignalAsync("HUP");
        await gateway.Process.WaitForLineAsync(l => l.Contains("\"ConfigLookRequested\"", StringComparison.Ordinal), Patience, "ConfigLookRequested");
        (await gateway.ConfigAsync()).Version.Should().Be(1, "nothing changed");

        var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(folder.ConfigPath))!;
        config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("someone-else") };
        folder.Write(config);
        await gateway.Process.SignalAsync("HUP");
        await gateway.Process.WaitForLineAsync(l => l.Contains("\"ConfigReloaded\"", StringComparison.Ordinal), Patience, "ConfigReloaded");

        (await gateway.ConfigAsync()).Version.Should().Be(2);
        gateway.Process.HasExited.Should().BeFalse(gateway.Process.Tail());
    }
}
