using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.EndToEnd;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Configuration;

/// <summary><c>Gateway:RateLimits</c> and the routes' <c>RateLimiterPolicy</c> are checked at load, each mistake at its path.</summary>
[Trait("Category", "Unit")]
public sealed class RateLimitConfigTests
{
    /// <summary>The limit's JSON, the path of the error, a fragment of its message.</summary>
    public static TheoryData<string, string, string> BadLimits => new()
    {
        { """{ "PermitsPerSecond": 0 }""", "Gateway:RateLimits:per-cert:PermitsPerSecond", "must be a positive number" },
        { """{ "PermitsPerSecond": -3 }""", "Gateway:RateLimits:per-cert:PermitsPerSecond", "got -3" },
        { """{ "PermitsPerSecond": 5, "Burst": 0 }""", "Gateway:RateLimits:per-cert:Burst", "must be at least 1" },
        { """{ "PermitsPerSecond": 5, "MaxPartitions": 0 }""", "Gateway:RateLimits:per-cert:MaxPartitions", "must be at least 1" },
    };

    [Theory]
    [MemberData(nameof(BadLimits))]
    public void Load_BadLimit_ReportsPathAndFix(string limit, string path, string message)
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            RateLimitTests.AddLimits(config);
            config["Gateway"]!["RateLimits"]!["per-cert"] = JsonNode.Parse(limit);
        });

        ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).ShouldReport(path, message);
    }

    [Fact]
    public void Load_RouteNamingNoLimit_ListsTheKnownOnes()
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            RateLimitTests.AddLimits(config);
            config["ReverseProxy"]!["Routes"]!["status"]!["RateLimiterPolicy"] = "per-certificate";
        });

        ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).ShouldReport("ReverseProxy:Routes:status:RateLimiterPolicy",
            "'per-certificate' is not a rate limit; known: per-cert, per-ip, per-partner");
    }

    [Theory]
    [InlineData("Default")]
    [InlineData("disable")]
    public void Load_LimitNamedLikeYarpsReservedValue_IsRefused(string name)
    {
        using var folder = new ConfigFolder((config, _) =>
            config["Gateway"]!["RateLimits"] = new JsonObject { [name] = new JsonObject { ["PermitsPerSecond"] = 5 } });

        ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).ShouldReport($"Gateway:RateLimits:{name}", "is reserved by YARP's RateLimiterPolicy");
    }

    [Fact]
    public void Load_ValidLimits_AreAccepted()
    {
        using var folder = new ConfigFolder((config, _) => RateLimitTests.AddLimits(config));

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.IsValid.Should().BeTrue(string.Join(" | ", result.Errors));
        result.Snapshot!.Options.RateLimits["per-partner"].EffectiveBurst.Should().Be(2);
    }
}
