using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Configuration;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.ProxyProtocol;

/// <summary><c>Gateway:Listeners:NAME:ProxyProtocol</c> is validated with paths and fixes, like every other key.</summary>
[Trait("Category", "Unit")]
public sealed class ProxyProtocolConfigTests
{
    public static TheoryData<string, JsonObject, string, string> BadSettings => new()
    {
        { "required without networks", new JsonObject { ["Mode"] = "Required" },
            "Gateway:Listeners:public:ProxyProtocol:TrustedNetworks", "is empty" },
        { "host bits set", new JsonObject { ["Mode"] = "Required", ["TrustedNetworks"] = new JsonArray("10.1.2.3/8") },
            "Gateway:Listeners:public:ProxyProtocol:TrustedNetworks:0", "write \"10.0.0.0/8\"" },
        { "not a network", new JsonObject { ["Mode"] = "Optional", ["TrustedNetworks"] = new JsonArray("127.0.0.1/32", "lb.internal") },
            "Gateway:Listeners:public:ProxyProtocol:TrustedNetworks:1", "'lb.internal' is not a network" },
        { "prefix too long", new JsonObject { ["Mode"] = "Optional", ["TrustedNetworks"] = new JsonArray("10.0.0.0/33") },
            "Gateway:Listeners:public:ProxyProtocol:TrustedNetworks:0", "is not a network" },
        { "unknown mode", new JsonObject { ["Mode"] = "Always", ["TrustedNetworks"] = new JsonArray("10.0.0.0/8") },
            "Gateway:Listeners:public:ProxyProtocol:Mode", "'Always' is not a mode; one of Off, Required" },
        { "misspelt key", new JsonObject { ["Mode"] = "Required", ["TrustedNetwork"] = new JsonArray("10.0.0.0/8") },
            "Gateway:Listeners:public:ProxyProtocol:TrustedNetwork", "did you mean 'TrustedNetworks'?" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_BadProxyProtocolSettings_ReportsPathAndFix(string because, JsonObject settings, string path, string message)
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Listeners"]!["public"]!["ProxyProtocol"] = settings);

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message, because);
    }

    [Fact]
    public void Validate_TrustedNetworksOfBothFamilies_CompilesTheListenerSettings()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Listeners"]!["public"]!["ProxyProtocol"] = new JsonObject
        {
            ["Mode"] = "Required",
            ["TrustedNetworks"] = new JsonArray("10.0.0.0/8", "192.0.2.10", "fd00::/8"),
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.IsValid.Should().BeTrue(string.Join(" | ", result.Errors));
        var settings = result.Snapshot!.Listeners.Single(l => l.Name == "public").ProxyProtocol!;
        settings.Mode.Should().Be(ProxyProtocolMode.Required);
        settings.IsTrusted(IPAddress.Parse("10.200.0.1")).Should().BeTrue();
        settings.IsTrusted(IPAddress.Parse("::ffff:10.200.0.1")).Should().BeTrue("a dual-stack listener sees IPv4 balancers as mapped addresses");
        settings.IsTrusted(IPAddress.Parse("192.0.2.10")).Should().BeTrue();
        settings.IsTrusted(IPAddress.Parse("192.0.2.11")).Should().BeFalse();
        settings.IsTrusted(IPAddress.Parse("fd12::1")).Should().BeTrue();
        settings.IsTrusted(IPAddress.Parse("11.0.0.1")).Should().BeFalse();
        result.Snapshot.Listeners.Single(l => l.Name == "plain").ProxyProtocol.Should().BeNull("Off is the default");
    }

    [Fact]
    public void Validate_SameSettingsLoadedTwice_CompareEqualSoAReloadNeedsNoRestart()
    {
        static ProxyProtocolSettings Load()
        {
            using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Listeners"]!["public"]!["ProxyProtocol"] = new JsonObject
            {
                ["Mode"] = "Optional",
                ["TrustedNetworks"] = new JsonArray("10.0.0.0/8"),
            });
            return ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).Snapshot!.Listeners.Single(l => l.Name == "public").ProxyProtocol!;
        }

        Load().Should().Be(Load());
    }
}
