using MtlsGateway.Hosting;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// The real gateway process on one CPU (<c>DOTNET_PROCESSOR_COUNT=1</c>, which the runtime and its tiering take as the
/// process's CPU count): it tells the operator about the slow warm-up at start, and stays quiet once the variable the
/// image and the systemd unit set is there.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SingleCpuWarmupProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OneCpu_WithoutTheMultiplier_SaysHowToWarmUpFaster()
    {
        using var folder = new ConfigFolder((config, _) => config.Remove("Serilog")); // the default: CLEF on the console at Information
        await using var gateway = GatewayInstance.Start("one-cpu", folder.ConfigPath, new Dictionary<string, string?>
        {
            ["DOTNET_PROCESSOR_COUNT"] = "1",
            [SingleCpuWarmup.Variable] = null,
            [SingleCpuWarmup.LegacyVariable] = null,
        });

        var line = await gateway.Process.WaitForLineAsync(l => l.Contains("SingleCpuSlowWarmup", StringComparison.Ordinal), Patience, "SingleCpuSlowWarmup");

        line.Should().Contain("DOTNET_TC_DelaySingleProcMultiplier");
    }

    [Fact]
    public async Task OneCpu_WithTheMultiplierSet_SaysNothing()
    {
        using var folder = new ConfigFolder((config, _) => config.Remove("Serilog")); // the default: CLEF on the console at Information
        await using var gateway = GatewayInstance.Start("one-cpu-set", folder.ConfigPath, new Dictionary<string, string?>
        {
            ["DOTNET_PROCESSOR_COUNT"] = "1",
            [SingleCpuWarmup.Variable] = "1",
        });
        // ConfigLoaded is written after the point where the hint would be.
        await gateway.Process.WaitForLineAsync(l => l.Contains("ConfigLoaded", StringComparison.Ordinal), Patience, "ConfigLoaded");

        gateway.Process.Lines.Should().NotContain(l => l.Contains("SingleCpuSlowWarmup", StringComparison.Ordinal));
    }
}
