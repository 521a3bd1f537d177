using System.Diagnostics;

namespace MtlsGateway.Tests.Hardening;

/// <summary>This process's open file descriptors (sockets included) and memory, for before/after comparisons.</summary>
internal static class ProcessResources
{
    public static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Managed heap after a full, compacting collection: what is still referenced.</summary>
    public static long LiveManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static long WorkingSetBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>The id of the process whose command line holds <paramref name="argument"/> (a unique config path).</summary>
    public static int FindByArgument(string argument)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0').Contains(argument))
                    {
                        return pid;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // exited meanwhile
                }
            }
        }

        throw new InvalidOperationException($"no process runs with argument {argument}");
    }

    /// <summary>Resident memory (VmRSS) of process <paramref name="pid"/>.</summary>
    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>Polls (bounded) until the descriptor count is at most <paramref name="ceiling"/>; the last count.
    /// Sockets close asynchronously after a request fails, so the count settles rather than drops at once.</summary>
    public static async Task<int> DescriptorsSettleAsync(int ceiling, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int count;
        while ((count = OpenDescriptors()) > ceiling && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(100);
        }

        return count;
    }
}
