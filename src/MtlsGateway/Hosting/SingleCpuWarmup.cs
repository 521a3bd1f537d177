namespace MtlsGateway.Hosting;

/// <summary>
/// On one CPU .NET waits ten times longer (1 s) before it recompiles hot methods at full optimisation, and every method
/// compiled for the first time restarts the wait: a gateway started under load ran at a quarter of its speed for
/// 35–40 s (docs/performance.md). <c>DOTNET_TC_DelaySingleProcMultiplier=1</c> makes that 10–20 s, but the runtime
/// reads it before <c>Main</c>, so the gateway can only say so at start. The image and the systemd unit set it.
/// </summary>
public static class SingleCpuWarmup
{
    /// <summary>The runtime's variable; either prefix is honoured.</summary>
    public const string Variable = "DOTNET_TC_DelaySingleProcMultiplier";

    /// <summary>The same under the legacy prefix.</summary>
    public const string LegacyVariable = "COMPlus_TC_DelaySingleProcMultiplier";

    /// <summary>True when the process has one CPU and the operator left the multiplier at .NET's 10.</summary>
    public static bool IsSlow() =>
        IsSlow(Environment.ProcessorCount, Environment.GetEnvironmentVariable(Variable) ?? Environment.GetEnvironmentVariable(LegacyVariable));

    internal static bool IsSlow(int processorCount, string? multiplier) => processorCount == 1 && multiplier is null;
}
