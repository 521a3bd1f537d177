using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace MtlsLoad;

/// <summary>What every result carries about the machine, so a run on a loaded machine shows as one.</summary>
internal static class MachineInfo
{
    public static JsonObject Describe()
    {
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        return new JsonObject
        {
            ["nproc"] = cpuinfo.Count(l => l.StartsWith("processor", StringComparison.Ordinal)),
            ["cpuModel"] = model,
            ["loadAverage"] = LoadAverage(),
            ["kernel"] = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
        };
    }

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
