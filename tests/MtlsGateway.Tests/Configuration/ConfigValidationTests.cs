using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Configuration;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Configuration;

/// <summary>Every kind of configuration mistake is reported with its path and what to do, all at once.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConfigValidationTests
{
    public static TheoryData<string, Action<JsonObject>, string, string> BadConfigs => new()
    {
        { "unknown trust store", c => c["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner",
            "Gateway:Policies:acme-orders:TrustStore", "'partner' is not a trust store; known: partners" },
        { "unknown route policy", c => c["ReverseProxy"]!["Routes"]!["orders"]!["AuthorizationPolicy"] = "nope",
            "ReverseProxy:Routes:orders:AuthorizationPolicy", "'nope' is not a policy; known: acme-orders, open-status" },
        { "anonymous route", c => c["ReverseProxy"]!["Routes"]!["orders"]!["AuthorizationPolicy"] = "Anonymous",
            "ReverseProxy:Routes:orders:AuthorizationPolicy", "'Anonymous' would leave the route open" },
        { "no default policy", c => ((JsonObject)c["Gateway"]!).Remove("DefaultPolicy"),
            "Gateway:DefaultPolicy", "is missing" },
        { "unknown default policy", c => c["Gateway"]!["DefaultPolicy"] = "ghost",
            "Gateway:DefaultPolicy", "'ghost' is not a policy" },
        { "missing mode", c => ((JsonObject)c["Gateway"]!["Policies"]!["open-status"]!).Remove("Mode"),
            "Gateway:Policies:open-status:Mode", "set it to Strict or Permissive" },
        { "reserved policy name", c => c["Gateway"]!["Policies"]!["Default"] = new JsonObject { ["Mode"] = "Strict", ["TrustStore"] = "partners" },
            "Gateway:Policies:Default", "reserved" },
        { "missing certificate file", c => c["Gateway"]!["ServerCertificates"]![0]!["CertificateFile"] = "pki/nope.crt",
            "Gateway:ServerCertificates:0:CertificateFile", "file 'pki/nope.crt' does not exist" },
        { "key of another certificate", c => c["Gateway"]!["ServerCertificates"]![0]!["KeyFile"] = "pki/client.key",
            "Gateway:ServerCertificates:0:KeyFile", "does not belong to the certificate" },
        { "listener URL", c => c["Gateway"]!["Listeners"]!["public"]!["Url"] = "https//0.0.0.0:8443",
            "Gateway:Listeners:public:Url", "is not a listener URL" },
        { "listener URL without a port", c => c["Gateway"]!["Listeners"]!["public"]!["Url"] = "https://127.0.0.1",
            "Gateway:Listeners:public:Url", "has no port; write it, e.g. 'https://127.0.0.1:8443'" },
        { "listener host name", c => c["Gateway"]!["Listeners"]!["public"]!["Url"] = "https://example.com:8443",
            "Gateway:Listeners:public:Url", "is not an IP address" },
        { "duplicate port", c => { c["Gateway"]!["Listeners"]!["public"]!["Url"] = "https://127.0.0.1:9443"; c["Gateway"]!["Listeners"]!["plain"]!["Url"] = "http://127.0.0.1:9443"; },
            "Gateway:Listeners:public:Url", "port 9443 is already used by listener 'plain'" },
        { "duplicate server host", c => ((JsonArray)c["Gateway"]!["ServerCertificates"]!).Add(new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["CertificateFile"] = "pki/server.crt", ["KeyFile"] = "pki/server.key" }),
            "Gateway:ServerCertificates", "host 'localhost' is served by both" },
        { "passthrough host also terminated", c => c["Gateway"]!["Passthrough"] = new JsonObject { ["legacy"] = new JsonObject { ["Hosts"] = new JsonArray("strict.partner.test"), ["Destinations"] = new JsonArray("127.0.0.1:9") } },
            "Gateway:Passthrough:legacy:Hosts:0", "is also served by route 'strict-host'" },
        { "passthrough destination", c => c["Gateway"]!["Passthrough"] = new JsonObject { ["legacy"] = new JsonObject { ["Hosts"] = new JsonArray("legacy.test"), ["Destinations"] = new JsonArray("nowhere") } },
            "Gateway:Passthrough:legacy:Destinations:0", "is not 'host:port'" },
        { "passthrough timeout", c => c["Gateway"]!["Passthrough"] = new JsonObject { ["legacy"] = new JsonObject { ["Hosts"] = new JsonArray("legacy.test"), ["Destinations"] = new JsonArray("127.0.0.1:9"), ["IdleTimeout"] = "-00:00:01" } },
            "Gateway:Passthrough:legacy:IdleTimeout", "must be positive" },
        { "reload poll interval", c => c["Gateway"]!["Reload"] = new JsonObject { ["PollInterval"] = "00:00:00" },
            "Gateway:Reload:PollInterval", "must be positive" },
        { "admin allowed host", c => c["Gateway"]!["Admin"]!["AllowedHosts"] = new JsonArray("admin.test", "http://admin.test:9901"),
            "Gateway:Admin:AllowedHosts:1", "'http://admin.test:9901' is not a host name or an IP address; give the name alone" },
        { "upgrade switch value", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Metadata"] = new JsonObject { ["Gateway.AllowUpgrade"] = "Web Socket" },
            "ReverseProxy:Routes:orders:Metadata:Gateway.AllowUpgrade", "'Web Socket' is not an upgrade protocol; use a name such as 'WebSocket'" },
        { "upgrade switch empty", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Metadata"] = new JsonObject { ["Gateway.AllowUpgrade"] = " , " },
            "ReverseProxy:Routes:orders:Metadata:Gateway.AllowUpgrade", "is empty; use 'WebSocket'" },
        { "upgrade switch misspelt", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Metadata"] = new JsonObject { ["Gateway.AllowUpgrades"] = "WebSocket" },
            "ReverseProxy:Routes:orders:Metadata:Gateway.AllowUpgrades", "'Gateway.AllowUpgrades' is not a gateway route setting; known: Gateway.AllowUpgrade" },
        { "unknown cluster", c => c["ReverseProxy"]!["Routes"]!["orders"]!["ClusterId"] = "nope",
            "ReverseProxy:Routes:orders:ClusterId", "'nope' is not a cluster; known: echo" },
        { "misspelt key", c => c["Gateway"]!["Policies"]!["open-status"]!["Mdoe"] = "Strict",
            "Gateway:Policies:open-status:Mdoe", "'Mdoe' is not a setting of Gateway:Policies:open-status; did you mean 'Mode'?" },
        { "misspelt trust store key", c => c["Gateway"]!["TrustStores"]!["partners"]!["CrlFile"] = new JsonArray("pki/partners.crl"),
            "Gateway:TrustStores:partners:CrlFile", "did you mean 'CrlFiles'?" },
        { "unknown key, nothing near", c => c["Gateway"]!["Reload"] = new JsonObject { ["Frobnication"] = "on" },
            "Gateway:Reload:Frobnication", "is not a setting of Gateway:Reload; known: Enabled, PollInterval" },
        { "bad enum value", c => c["Gateway"]!["Policies"]!["open-status"]!["Mode"] = "Lenient",
            "Gateway:Policies:open-status:Mode", "'Lenient' is not a mode; one of Strict, Permissive" },
        { "passthrough as a mode", c => c["Gateway"]!["Policies"]!["open-status"]!["Mode"] = "Passthrough",
            "Gateway:Policies:open-status:Mode", "Passthrough is not a policy mode: list the host names under Gateway:Passthrough" },
        { "bad enum value of another key", c => c["Gateway"]!["TrustStores"]!["partners"]!["Revocation"] = "Sometimes",
            "Gateway:TrustStores:partners:Revocation", "'Sometimes' is not a value of Revocation; one of" },
        { "bad number", c => c["Gateway"]!["Limits"] = new JsonObject { ["MaxRequestHeaderCount"] = "lots" },
            "Gateway:Limits:MaxRequestHeaderCount", "'lots' is not a whole number" },
        { "bad duration", c => c["Gateway"]!["Reload"] = new JsonObject { ["PollInterval"] = "2s" },
            "Gateway:Reload:PollInterval", "'2s' is not a duration; write it as [d.]hh:mm:ss, e.g. '00:00:30'" },
        { "bad bool", c => c["Gateway"]!["Reload"] = new JsonObject { ["Enabled"] = "yes" },
            "Gateway:Reload:Enabled", "'yes' is not true or false" },
        { "empty bound token", c => c["Gateway"]!["Policies"]!["acme-orders"]!["BoundToken"] = new JsonObject(),
            "Gateway:Policies:acme-orders:BoundToken", "is empty; give it its keys" },
        { "empty partners", c => c["Gateway"]!["Policies"]!["open-status"]!["Partners"] = new JsonObject(),
            "Gateway:Policies:open-status:Partners", "is empty; give it its keys" },
        { "unknown YARP transform", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Transforms"] = new JsonArray(new JsonObject { ["RequestHeaderFrob"] = "x" }),
            "ReverseProxy:Routes:orders:Transforms", "Unknown transform: RequestHeaderFrob" },
        { "YARP route path", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Match"]!["Path"] = "/orders/{**rest",
            "ReverseProxy:Routes:orders:Match:Path", "Invalid path '/orders/{**rest'" },
        { "YARP HTTP method", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Match"]!["Methods"] = new JsonArray("GET", "get"),
            "ReverseProxy:Routes:orders:Match:Methods", "Duplicate HTTP method" },
        { "YARP route timeout and policy", c => { c["ReverseProxy"]!["Routes"]!["orders"]!["Timeout"] = "00:00:05"; c["ReverseProxy"]!["Routes"]!["orders"]!["TimeoutPolicy"] = "slow"; },
            "ReverseProxy:Routes:orders:Timeout", "has both a Timeout" },
        { "YARP load balancing policy", c => c["ReverseProxy"]!["Clusters"]!["echo"]!["LoadBalancingPolicy"] = "Fastest",
            "ReverseProxy:Clusters:echo:LoadBalancingPolicy", "No matching policy found for the load balancing policy 'Fastest'" },
        { "YARP route order", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Order"] = "first",
            "ReverseProxy:Routes:orders:Order", "'first' is not a whole number" },
        { "YARP header match mode", c => c["ReverseProxy"]!["Routes"]!["orders"]!["Match"]!["Headers"] = new JsonArray(new JsonObject { ["Name"] = "X-Tenant", ["Values"] = new JsonArray("a"), ["Mode"] = "Equals" }),
            "ReverseProxy:Routes:orders:Match:Headers:0:Mode", "'Equals' is not a header match mode; one of ExactHeader, HeaderPrefix" },
        { "YARP activity timeout", c => c["ReverseProxy"]!["Clusters"]!["echo"]!["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "soon" },
            "ReverseProxy:Clusters:echo:HttpRequest:ActivityTimeout", "'soon' is not a duration" },
        { "missing CA file", c => c["Gateway"]!["TrustStores"]!["partners"]!["CaFiles"]![0] = "pki/missing-root.crt",
            "Gateway:TrustStores:partners:CaFiles:0", "does not exist" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Load_BadConfig_ReportsPathAndFix(string because, Action<JsonObject> edit, string path, string message)
    {
        using var folder = new ConfigFolder((config, _) => edit(config));

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message, because);
    }

    [Fact]
    public void Load_SeveralMistakes_ReportsEveryOne()
    {
        using var folder = new ConfigFolder((c, _) =>
        {
            c["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner";
            c["Gateway"]!["ServerCertificates"]![0]!["CertificateFile"] = "pki/nope.crt";
            c["ReverseProxy"]!["Routes"]!["orders"]!["ClusterId"] = "nope";
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Select(e => e.Path).Should().Contain(
        [
            "Gateway:Policies:acme-orders:TrustStore",
            "Gateway:ServerCertificates:0:CertificateFile",
            "ReverseProxy:Routes:orders:ClusterId",
        ]);
    }

    [Fact]
    public void Load_SeveralBadValues_ReportsEachWithTheOthersAndWhereItIs()
    {
        using var folder = new ConfigFolder((c, _) =>
        {
            c["Gateway"]!["Policies"]!["open-status"]!["Mode"] = "Lenient";
            c["Gateway"]!["Limits"] = new JsonObject { ["MaxRequestHeaderCount"] = "lots" };
            c["Gateway"]!["Reload"] = new JsonObject { ["PollInterval"] = "2s", ["Enabled"] = "yes" };
            c["Gateway"]!["TrustStores"]!["partners"]!["CrlFile"] = new JsonArray("pki/partners.crl");
            c["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner";
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Select(e => e.Path).Should().BeEquivalentTo(
        [
            "Gateway:Policies:open-status:Mode",
            "Gateway:Limits:MaxRequestHeaderCount",
            "Gateway:Reload:PollInterval",
            "Gateway:Reload:Enabled",
            "Gateway:TrustStores:partners:CrlFile",
            "Gateway:Policies:acme-orders:TrustStore",
        ], "one bad value hides no other error, and a dropped value is not also reported missing: {0}", string.Join(" | ", result.Errors));
        result.Errors.Should().OnlyContain(e => !e.Message.Contains("MtlsGateway.") && !e.Message.Contains("System."), "messages name no .NET type");
        result.Errors.Single(e => e.Path == "Gateway:Policies:open-status:Mode").Message.Should().MatchRegex(@"\(.*gateway\.json line 1, column \d+\)$");
    }

    [Fact]
    public void Load_JsonSyntaxError_SaysLineAndColumn()
    {
        using var folder = new ConfigFolder();
        File.WriteAllText(folder.ConfigPath, "{\n  \"Gateway\": {\n    \"DefaultPolicy\": \"acme-orders\" \"Listeners\": {}\n  }\n}\n");

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().ContainSingle().Which.Message.Should().StartWith("is not valid JSON at line 3, column 36");
    }

    [Fact]
    public void Load_RouteWrittenTwice_IsADuplicateNotInvalidJson()
    {
        using var folder = new ConfigFolder();
        var text = File.ReadAllText(folder.ConfigPath);
        File.WriteAllText(folder.ConfigPath, text.Replace("\"Routes\":{", "\"Routes\":{\"Orders\":{\"ClusterId\":\"echo\",\"Match\":{\"Path\":\"/x\"}},", StringComparison.Ordinal));

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport("ReverseProxy:Routes:orders", "is written twice in");
        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("line 1 and line 1").And.Contain("keys ignore case").And.NotContain("not valid JSON");
    }

    [Fact]
    public async Task Validate_BadValueFromEnvironment_NamesTheVariable()
    {
        // In a child process: setting this process's environment would change every gateway the other tests run.
        using var folder = new ConfigFolder();

        var result = await GatewayCli.RunAsync(new Dictionary<string, string> { ["Gateway__Policies__open-status__Mode"] = "Lenient" },
            "validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain(
            "Gateway:Policies:open-status:Mode: 'Lenient' is not a mode; one of Strict, Permissive (set by environment variable Gateway__Policies__open-status__Mode)");
    }

    [Fact]
    public void Load_MalformedJson_ReportsTheFile()
    {
        using var folder = new ConfigFolder();
        File.WriteAllText(folder.ConfigPath, "{ \"Gateway\": { ");

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("is not valid JSON");
    }

    [Fact]
    public void Load_PathsAreRelativeToTheConfigFolder()
    {
        using var folder = new ConfigFolder();
        var elsewhere = Directory.GetCurrentDirectory();

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.IsValid.Should().BeTrue(string.Join(" | ", result.Errors));
        Directory.GetCurrentDirectory().Should().Be(elsewhere);
    }

    [Fact]
    public async Task Validate_EnvironmentVariable_OverridesFile()
    {
        // In a child process: setting this process's environment would change every gateway the other tests run.
        using var folder = new ConfigFolder();

        var overridden = await GatewayCli.RunAsync(new Dictionary<string, string> { ["Gateway__Listeners__public__Url"] = "https://127.0.0.1" },
            "validate", "--config", folder.ConfigPath);
        var plain = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        plain.ExitCode.Should().Be(0, plain.Output);
        overridden.ExitCode.Should().Be(1, overridden.Output);
        overridden.StandardOutput.Should().Contain("Gateway:Listeners:public:Url: 'https://127.0.0.1' has no port");
    }
}
