using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>A host is either passthrough or terminated, wildcards included, and belongs to one passthrough entry.</summary>
[Trait("Category", "Unit")]
public sealed class PassthroughConfigTests
{
    [Fact]
    public void Load_PassthroughWildcardCoversRouteHost_ReportsConflict()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["Passthrough"] = new JsonObject
        {
            ["legacy"] = new JsonObject { ["Hosts"] = new JsonArray("*.partner.test"), ["Destinations"] = new JsonArray("127.0.0.1:9") },
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.IsValid.Should().BeFalse();
        result.Errors.Should().Contain(e => e.Path == "Gateway:Passthrough:legacy:Hosts:0" && e.Message.Contains("route 'strict-host'"));
        result.Errors.Should().Contain(e => e.Path == "Gateway:Passthrough:legacy:Hosts:0" && e.Message.Contains("route 'open-host'"));
    }

    [Fact]
    public void Load_TwoEntriesOverlapByWildcard_ReportsConflict()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["Passthrough"] = new JsonObject
        {
            ["a"] = new JsonObject { ["Hosts"] = new JsonArray("*.legacy.test"), ["Destinations"] = new JsonArray("127.0.0.1:9") },
            ["b"] = new JsonObject { ["Hosts"] = new JsonArray("x.legacy.test"), ["Destinations"] = new JsonArray("127.0.0.1:9") },
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().Contain(e => e.Path == "Gateway:Passthrough:b:Hosts:0" && e.Message.Contains("also in passthrough entry 'a'"));
    }

    [Fact]
    public void Load_PassthroughTimeouts_AreAcceptedKeys()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["Passthrough"] = new JsonObject
        {
            ["legacy"] = new JsonObject
            {
                ["Hosts"] = new JsonArray("legacy.test"), ["Destinations"] = new JsonArray("127.0.0.1:9", "[::1]:9"),
                ["ConnectTimeout"] = "00:00:02", ["IdleTimeout"] = "00:10:00", ["DrainTimeout"] = "00:00:03",
            },
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().BeEmpty();
        result.Snapshot!.Options.Passthrough["legacy"].IdleTimeout.Should().Be(TimeSpan.FromMinutes(10));
    }
}
