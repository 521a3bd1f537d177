namespace MtlsGateway.Hosting;

/// <summary>
/// Stops .NET's thread-pool workers from spinning before they sleep, unless the operator chose a limit. In .NET 10 a
/// worker that runs out of work spins up to 70 rounds first (on a process with one CPU, 60 of them are
/// <c>sched_yield</c> calls), hoping for the next work item. A proxy's work comes in short bursts per socket event,
/// so the spinning is paid on nearly every request and, with nothing else to run on the core, buys nothing:
/// measured with the gateway alone on a core (docs/performance.md), no spinning gave 1.05–1.16× the keep-alive
/// requests per CPU-second in three of four runs (level side by side), and relayed bytes and connections cost
/// 1.3–2.8× less CPU. .NET 11 stops spinning
/// by itself when the pool's threads already fill the cores. The runtime reads the setting once, when the pool
/// starts its first worker, so this runs first in <c>Main</c>.
/// </summary>
public static class ThreadPoolSpinning
{
    /// <summary>The operator's override; the runtime reads its value as hexadecimal (<c>46</c> is .NET's 70).</summary>
    public const string Variable = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";

    /// <summary>The same setting under its legacy prefix, which the runtime still honours.</summary>
    public const string LegacyVariable = "COMPlus_ThreadPool_UnfairSemaphoreSpinLimit";

    /// <summary>The runtime's name for the setting (runtimeconfig.json <c>configProperties</c>).</summary>
    public const string Setting = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>Sets the limit to 0 unless <see cref="Variable"/>, <see cref="LegacyVariable"/> or the runtimeconfig sets one.</summary>
    public static void DefaultToNone()
    {
        var value = DefaultFor(Environment.GetEnvironmentVariable(Variable) ?? Environment.GetEnvironmentVariable(LegacyVariable), AppContext.GetData(Setting));
        if (value is not null)
        {
            AppContext.SetData(Setting, value);
        }
    }

    /// <summary>The value the gateway sets given what the operator set (variable, runtimeconfig): "0", or null to leave theirs.</summary>
    internal static string? DefaultFor(string? variable, object? configured) =>
        variable is null && configured is null ? "0" : null;
}
