using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Cli;

/// <summary><c>mtls-gateway health</c>, the container's HEALTHCHECK: the real program against a running and a stopped gateway.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_RunningGateway_ExitsZero()
    {
        await using var gateway = await GatewayTestHost.StartAsync();

        var result = await GatewayCli.RunAsync("health", "--url", $"http://127.0.0.1:{gateway.AdminPort}");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain($"http://127.0.0.1:{gateway.AdminPort}/readyz: 200");
    }

    [Fact]
    public async Task Health_StoppedGateway_ExitsOneAndSaysWhy()
    {
        int port;
        await using (var gateway = await GatewayTestHost.StartAsync())
        {
            port = gateway.AdminPort;
        }

        var result = await GatewayCli.RunAsync("health", "--url", $"http://127.0.0.1:{port}/readyz");

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain("no answer").And.Contain("is the gateway running");
    }

    [Fact]
    public async Task Health_NotAnHttpUrl_IsAUsageError()
    {
        var result = await GatewayCli.RunAsync("health", "--url", "ftp://127.0.0.1:9901");

        result.ExitCode.Should().Be(2, result.Output);
        result.StandardOutput.Should().Contain("is not an http:// URL");
    }
}
