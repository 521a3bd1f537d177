using System.Diagnostics;
using System.Globalization;

namespace MtlsLoad;

/// <summary>
/// Reads /proc: CPU time (utime + stime) and VmRSS of the proxy's processes, busy time of each CPU, and this
/// process's own CPU time, so a result shows whether the proxy's core was saturated and by whom.
/// </summary>
internal sealed class ProcessProbe(IReadOnlyList<int> pids)
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public IReadOnlyList<int> Pids { get; } = pids;

    public Sample Take()
    {
        double proxyCpu = 0;
        long rss = 0;
        foreach (var pid in Pids)
        {
            proxyCpu += ProcessCpuSeconds(pid);
            rss += RssKiB(pid);
        }

        return new Sample(Stopwatch.GetTimestamp(), proxyCpu, rss, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, CpuTimes());
    }

    public static double ProcessCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) start at ") ".
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static long RssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>Per CPU (cpu0, cpu1, …): (busy, total) jiffies from /proc/stat.</summary>
    private static List<(long Busy, long Total)> CpuTimes()
    {
        var result = new List<(long, long)>();
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                continue;
            }

            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + values[4]; // idle + iowait
            var total = values.Take(8).Sum(); // user nice system idle iowait irq softirq steal
            result.Add((total - idle, total));
        }

        return result;
    }

    internal sealed record Sample(long Timestamp, double ProxyCpuSeconds, long ProxyRssKiB, double OwnCpuSeconds, List<(long Busy, long Total)> Cpus)
    {
        /// <summary>Fraction of each CPU that was busy between <paramref name="earlier"/> and this sample.</summary>
        public double[] BusySince(Sample earlier) => Cpus.Zip(earlier.Cpus, (now, then) =>
            now.Total == then.Total ? 0 : Math.Round((double)(now.Busy - then.Busy) / (now.Total - then.Total), 3)).ToArray();
    }
}
