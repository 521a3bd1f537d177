using System.Runtime.InteropServices;

namespace MtlsGateway.Hosting;

/// <summary>
/// Caps glibc's malloc at one arena per CPU the process may use (at least two), unless the operator set
/// <c>MALLOC_ARENA_MAX</c>. By default glibc lets threads create up to eight arenas per core, and OpenSSL's handshake
/// allocations land in the arena of whichever thread-pool thread ran that handshake: memory one arena freed is not
/// reused by another, so a burst of handshakes leaves each arena with its own peak. Measured with one CPU (two
/// arenas): ~2–3 KiB less RSS per idle mTLS connection (docs/performance.md); deploy.md recommended the same for
/// pods (a lower plateau, no measurable CPU cost on two cores). The variable itself is read once, before managed code
/// runs, hence <c>mallopt</c>: it applies to arenas created from here on, and the runtime has made few by then.
/// </summary>
internal static partial class MallocArenas
{
    public const string Variable = "MALLOC_ARENA_MAX";
    private const int MArenaMax = -8; // glibc's M_ARENA_MAX

    /// <summary>Applies the cap on glibc (Linux); elsewhere, or when <see cref="Variable"/> is set, does nothing.</summary>
    public static void DefaultToOnePerCpu()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null
            || !NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out _))
        {
            return; // musl and other C libraries have their own allocators
        }

        _ = Mallopt(MArenaMax, Math.Max(2, Environment.ProcessorCount)); // ProcessorCount: affinity and cgroup limits
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
