using System.Net;
using System.Text.RegularExpressions;
using MtlsGateway.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// docker-compose.yml's "scale" profile (there is no Docker engine here): docker-compose resolves it, HAProxy accepts
/// its config, HAProxy's servers are the profile's gateway services with PROXY v2 and /readyz checks, HAProxy's fixed
/// address is what the gateways trust, and the gateways' environment overrides validate against the shipped config.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class ComposeScaleProfileTests
{
    private static readonly string HaproxyConfig = RepositoryPaths.Combine("deploy", "haproxy", "haproxy.cfg");

    [Fact]
    public async Task ScaleProfile_Resolved_HaproxySendsProxyV2ToTheGatewaysThatTrustIt()
    {
        var scaled = await ComposeConfigAsync("--profile", "scale");

        // Opt-in: `docker-compose up` alone starts only the demo (docker-compose 1.x lists every service in `config`).
        foreach (var (name, service) in scaled.Children.Select(c => (((YamlScalarNode)c.Key).Value!, (YamlMappingNode)c.Value)))
        {
            var profiles = service.Children.TryGetValue(new YamlScalarNode("profiles"), out var p) ? ((YamlSequenceNode)p).Select(n => ((YamlScalarNode)n).Value) : [];
            profiles.Should().BeEquivalentTo(name is "haproxy" or "gateway-a" or "gateway-b" ? ["scale"] : Array.Empty<string>(), name);
        }

        var haproxyAddress = IPAddress.Parse(Scalar(scaled["haproxy"], "networks", "scale", "ipv4_address"));
        var servers = ServerLine().Matches(await File.ReadAllTextAsync(HaproxyConfig)).ToList();
        var defaults = DefaultServerLine().Match(await File.ReadAllTextAsync(HaproxyConfig)).Value;

        defaults.Should().Contain("send-proxy-v2");
        (await File.ReadAllTextAsync(HaproxyConfig)).Should().Contain("option httpchk GET /readyz");
        servers.Select(s => s.Groups["name"].Value).Should().BeEquivalentTo(["gateway-a", "gateway-b"]);
        foreach (var server in servers)
        {
            var service = scaled[server.Groups["host"].Value];
            var environment = (YamlMappingNode)service["environment"];
            string Env(string key) => ((YamlScalarNode)environment[key]).Value!;
            Env("Gateway__Listeners__public__ProxyProtocol__Mode").Should().Be("Required");
            IPNetwork.Parse(Env("Gateway__Listeners__public__ProxyProtocol__TrustedNetworks__0")).Contains(haproxyAddress).Should().BeTrue();
            new Uri(Env("Gateway__Listeners__public__Url")).Port.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(server.Groups["port"].Value);
            new Uri(Env("Gateway__Admin__Url").Replace("0.0.0.0", "any", StringComparison.Ordinal)).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                .Should().Be(server.Groups["check"].Value, "HAProxy checks /readyz on the admin port");
        }

        // The shipped config with the profile's overrides is what each instance runs: it must validate.
        var gateway = (YamlMappingNode)scaled["gateway-a"]["environment"];
        await using var validate = BackgroundProcess.Start("validate", "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "mtls-gateway.dll"), "validate", "--config", RepositoryPaths.Combine("config", "gateway.json")],
            gateway.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => (string?)(((YamlScalarNode)e.Value).Value ?? string.Empty)));
        (await validate.ExitCodeAsync(TimeSpan.FromSeconds(60))).Should().Be(0, validate.Tail());
    }

    [Fact]
    public async Task HaproxyConfig_CheckedByHaproxy_IsValid()
    {
        var result = await ProcessRunner.RunAsync("haproxy", ["-c", "-f", HaproxyConfig], TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().Contain("Configuration file is valid");
    }

    private static async Task<YamlMappingNode> ComposeConfigAsync(params string[] options)
    {
        var result = await ProcessRunner.RunAsync("docker-compose", ["-f", RepositoryPaths.Combine("docker-compose.yml"), .. options, "config"],
            TimeSpan.FromSeconds(60), RepositoryPaths.Root);
        result.ExitCode.Should().Be(0, result.Output);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(result.StandardOutput));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    private static string Scalar(YamlNode node, params string[] path) =>
        ((YamlScalarNode)path.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key])).Value!;

    [GeneratedRegex(@"^\s*server (?<name>\S+) (?<host>[a-z0-9-]+):(?<port>\d+) check port (?<check>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"^\s*default-server .*$", RegexOptions.Multiline)]
    private static partial Regex DefaultServerLine();
}
