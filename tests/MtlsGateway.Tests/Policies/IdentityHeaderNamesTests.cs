using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Policies;

/// <summary>A policy's identity header names are checked at load: each mistake reported at its path with a fix.</summary>
[Trait("Category", "Unit")]
public sealed class IdentityHeaderNamesTests
{
    public static TheoryData<string, string, string, string> BadNames => new()
    {
        { "Subjct", "X-Partner-Subject", "Gateway:Policies:open-status:Identity:Names:Subjct", "'Subjct' is not an identity header; known: Xfcc, Verified" },
        { "Subject", "X Partner Subject", "Gateway:Policies:open-status:Identity:Names:Subject", "is not a header name" },
        { "Subject", "X-Partner:Subject", "Gateway:Policies:open-status:Identity:Names:Subject", "is not a header name" },
        { "Verified", "Authorization", "Gateway:Policies:open-status:Identity:Names:Verified", "choose a name of your own" },
        { "Xfcc", "x-forwarded-for", "Gateway:Policies:open-status:Identity:Names:Xfcc", "choose a name of your own" },
        { "Issuer", "X-Client-Cert-Subject", "Gateway:Policies:open-status:Identity:Names", "'X-Client-Cert-Subject' is used for more than one identity header" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Load_BadIdentityHeaderName_ReportsPathAndFix(string key, string name, string path, string message)
    {
        using var folder = new ConfigFolder((c, _) =>
            c["Gateway"]!["Policies"]!["open-status"]!["Identity"] = new JsonObject { ["Names"] = new JsonObject { [key] = name } });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message);
    }

    [Fact]
    public void Load_GoodRenames_AreAccepted()
    {
        using var folder = new ConfigFolder((c, _) =>
            c["Gateway"]!["Policies"]!["open-status"]!["Identity"] = new JsonObject
            {
                ["Names"] = new JsonObject { ["Subject"] = "X-Partner-Subject", ["xfcc"] = "X-Partner-Xfcc" },
            });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().BeEmpty();
    }
}
