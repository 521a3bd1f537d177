using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// deploy/systemd/mtls-gateway.service: systemd itself accepts it (<c>systemd-analyze verify</c>; .ci/run installs
/// systemd), and it says what docs/deploy.md promises: notify readiness, SIGHUP reload, a non-root user holding only
/// CAP_NET_BIND_SERVICE, a read-only system.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SystemdUnitTests
{
    private static readonly string Unit = RepositoryPaths.Combine("deploy", "systemd", "mtls-gateway.service");

    [Fact]
    public async Task Unit_PassesSystemdAnalyzeVerify()
    {
        File.Exists("/usr/bin/systemd-analyze").Should().BeTrue("systemd-analyze checks the unit: apt-get install -y systemd (.ci/run does)");

        var result = await ProcessRunner.RunAsync("systemd-analyze", ["verify", Unit], TimeSpan.FromSeconds(60), Path.GetDirectoryName(Unit)!);

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().NotContain("Unknown key").And.NotContain("Failed to parse");
    }

    [Fact]
    public void Unit_IsNotifyWithReloadAndHardening()
    {
        var settings = File.ReadAllLines(Unit)
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToLookup(p => p[0].Trim(), p => p[1].Trim());

        settings["Type"].Should().Equal("notify");
        settings["ExecStart"].Single().Should().EndWith("mtls-gateway.dll run --config /etc/mtls-gateway/gateway.json");
        settings["ExecReload"].Single().Should().Be("/bin/kill -HUP $MAINPID");
        settings["User"].Should().Equal("mtls-gateway");
        settings["NoNewPrivileges"].Should().Equal("yes");
        settings["ProtectSystem"].Should().Equal("strict");
        settings["CapabilityBoundingSet"].Should().Equal("CAP_NET_BIND_SERVICE");
        settings["Environment"].Should().Contain("DOTNET_TC_DelaySingleProcMultiplier=1", "a one-CPU machine would otherwise run at a quarter speed for 35-40 s after a start");
        settings["AmbientCapabilities"].Should().Equal("CAP_NET_BIND_SERVICE");
        settings["MemoryDenyWriteExecute"].Should().BeEmpty("the .NET JIT needs writable code pages");
    }
}
