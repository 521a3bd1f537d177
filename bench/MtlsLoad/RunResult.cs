using System.Text.Json.Nodes;

namespace MtlsLoad;

/// <summary>One run's JSON line: the figure, its latencies, and what the proxy's processes and the CPUs did meanwhile.</summary>
internal static class RunResult
{
    public static JsonObject Create(
        LoadOptions options, string metric, string unit, MeasurementWindow window, IReadOnlyList<WorkerStats> workers, bool rateIsBytes = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(workers);
        var seconds = window.Elapsed.TotalSeconds;
        var completed = workers.Sum(w => w.Completed);
        var bytes = workers.Sum(w => w.BodyBytes);
        var value = rateIsBytes ? bytes / 1e6 / seconds : completed / seconds;
        var proxyCpu = window.After.ProxyCpuSeconds - window.Before.ProxyCpuSeconds;
        var latencies = workers.SelectMany(w => w.LatenciesMicroseconds).ToArray();
        Array.Sort(latencies);
        var result = Common(options, metric, unit, Math.Round(value, 1), higherIsBetter: true);
        result["measuredSeconds"] = Math.Round(seconds, 2);
        result["completed"] = completed;
        result["errors"] = workers.Sum(w => w.Errors);
        result["non2xx"] = workers.Sum(w => w.Non2xx);
        result["lastError"] = workers.Select(w => w.LastError).LastOrDefault(e => e is not null);
        result["bodyMB"] = Math.Round(bytes / 1e6, 1);
        result["p50Ms"] = Percentile(latencies, 0.50);
        result["p90Ms"] = Percentile(latencies, 0.90);
        result["p99Ms"] = Percentile(latencies, 0.99);
        result["maxMs"] = latencies.Length == 0 ? null : Math.Round(latencies[^1] / 1000.0, 2);
        result["withoutLocalCertificate"] = workers.Sum(w => w.WithoutLocalCertificate);
        result["proxyCpuSeconds"] = Math.Round(proxyCpu, 2);
        result["proxyCores"] = Math.Round(proxyCpu / seconds, 3);
        result["perProxyCpuSecond"] = proxyCpu > 0 ? Math.Round(value * seconds / proxyCpu, 1) : null;
        result["loadGenCores"] = Math.Round((window.After.OwnCpuSeconds - window.Before.OwnCpuSeconds) / seconds, 3);
        result["cpuBusy"] = new JsonArray(window.After.BusySince(window.Before).Select(b => (JsonNode)b).ToArray());
        return result;
    }

    public static JsonObject Common(LoadOptions options, string metric, string unit, double value, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonObject
        {
            ["scenario"] = options.Get("label", options.Scenario),
            ["target"] = options.Target,
            ["client"] = options.Client,
            ["round"] = options.Round,
            ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["metric"] = metric,
            ["unit"] = unit,
            ["value"] = value,
            ["higherIsBetter"] = higherIsBetter,
            ["connections"] = options.Connections,
            ["streams"] = options.Scenario == "h2" ? options.Streams : null,
            ["durationSeconds"] = options.Duration.TotalSeconds,
            ["warmupSeconds"] = options.Warmup.TotalSeconds,
            ["resume"] = options.Scenario == "handshake" ? options.Resume : null,
            ["sni"] = options.ServerName,
            ["path"] = options.Path,
            ["note"] = options.Note,
            ["machine"] = MachineInfo.Describe(),
        };
    }

    private static double? Percentile(int[] sorted, double quantile) =>
        sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))] / 1000.0, 3);
}
