using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MtlsLoad.Scenarios;

/// <summary>
/// <c>external</c>: runs another load client (the command after <c>--</c>, e.g. mtls-loadgen) and measures the proxy
/// around it exactly as the built-in scenarios do, so a ratio never depends on whose probe took it. The client is
/// given the same warm-up and duration; the /proc samples are taken at the edges of its measured interval, and its
/// one <c>RESULT key=value …</c> line supplies the figure. With <c>--idle true</c> the proxy's RSS is sampled before
/// the client starts and after its <c>READY</c> line, as <see cref="IdleScenario"/> does.
/// </summary>
internal static class ExternalScenario
{
    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        if (options.Command.Count == 0)
        {
            throw new ArgumentException("external: give the client's command after --");
        }

        var probe = new ProcessProbe(options.Pids);
        var idle = options.GetBool("idle");
        var start = new ProcessStartInfo(options.Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in options.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var before = probe.Take();
        using var client = Process.Start(start) ?? throw new IOException($"external: could not start {options.Command[0]}");
        var stderr = client.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var bound = new CancellationTokenSource(options.Warmup + options.Duration + options.Hold + TimeSpan.FromSeconds(90));
        JsonObject result;
        try
        {
            if (idle)
            {
                result = await MeasureIdleAsync(options, probe, before, client, lines, bound.Token);
            }
            else
            {
                var window = new MeasurementWindow();
                var measured = window.RunAsync(options.Warmup, options.Duration, probe);
                await ReadAllAsync(client, lines, bound.Token);
                await measured;
                result = FromResultLine(options, window, Fields(lines));
            }

            await client.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            client.Kill();
            throw new IOException($"external: {options.Command[0]} did not finish in time");
        }

        var errors = (await stderr).Trim();
        if (errors.Length > 0)
        {
            result["lastError"] = errors.Length > 300 ? errors[..300] : errors;
        }

        result["exitCode"] = client.ExitCode;
        return result;
    }

    private static async Task<JsonObject> MeasureIdleAsync(
        LoadOptions options, ProcessProbe probe, ProcessProbe.Sample before, Process client, List<string> lines, CancellationToken cancellationToken)
    {
        while (await client.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("READY", StringComparison.Ordinal))
            {
                break;
            }
        }

        // The same settling and hold as the built-in idle scenario; the client holds a little longer than we sample.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var held = probe.Take();
        await Task.Delay(options.Hold, cancellationToken);
        var after = probe.Take();
        await ReadAllAsync(client, lines, cancellationToken);
        var ready = Fields(lines, "READY");
        var open = (long)(Field(ready, "open") ?? 0);
        var grownKiB = Math.Max(held.ProxyRssKiB, after.ProxyRssKiB) - before.ProxyRssKiB;
        var result = RunResult.Common(options, "memory per idle connection", "KiB/conn",
            open > 0 ? Math.Round((double)grownKiB / open, 2) : 0, higherIsBetter: false);
        result["opened"] = open;
        result["errors"] = Field(ready, "errors");
        result["rssBeforeKiB"] = before.ProxyRssKiB;
        result["rssHeldKiB"] = held.ProxyRssKiB;
        result["rssAfterHoldKiB"] = after.ProxyRssKiB;
        result["holdSeconds"] = options.Hold.TotalSeconds;
        result["aliveAfterHold"] = Field(Fields(lines), "alive_after_hold");
        return result;
    }

    private static JsonObject FromResultLine(LoadOptions options, MeasurementWindow window, Dictionary<string, string> fields)
    {
        var mode = fields.GetValueOrDefault("mode") ?? throw new IOException("external: the client printed no RESULT line");
        var seconds = window.Elapsed.TotalSeconds;
        // mtls-loadgen reports MiB/s; the report's unit is MB/s (10⁶ B), as mtls-load's throughput scenario.
        var (metric, unit, value) = mode switch
        {
            "bulk" => ("throughput", "MB/s", (Field(fields, "mib_s") ?? 0) * 1.048576),
            "handshake" => ("full handshakes", "conn/s", Field(fields, "rps") ?? 0),
            _ => ("requests", "req/s", Field(fields, "rps") ?? 0),
        };
        var proxyCpu = window.After.ProxyCpuSeconds - window.Before.ProxyCpuSeconds;
        var result = RunResult.Common(options, metric, unit, Math.Round(value, 1), higherIsBetter: true);
        result["measuredSeconds"] = Math.Round(seconds, 2);
        result["clientSeconds"] = Field(fields, "dur_s");
        result["completed"] = Field(fields, "ok");
        result["errors"] = Field(fields, "errors");
        result["p50Ms"] = Field(fields, "p50_ms");
        result["p99Ms"] = Field(fields, "p99_ms");
        result["maxMs"] = Field(fields, "max_ms");
        result["proxyCpuSeconds"] = Math.Round(proxyCpu, 2);
        result["proxyCores"] = Math.Round(proxyCpu / seconds, 3);
        // The client's own figure covers its own interval; per CPU-second uses it over the probe's interval.
        result["perProxyCpuSecond"] = proxyCpu > 0 ? Math.Round(value * seconds / proxyCpu, 1) : null;
        result["loadGenCores"] = Field(fields, "loadgen_cpu");
        result["cpuBusy"] = new JsonArray(window.After.BusySince(window.Before).Select(b => (JsonNode)b).ToArray());
        return result;
    }

    private static async Task ReadAllAsync(Process client, List<string> lines, CancellationToken cancellationToken)
    {
        while (await client.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
        }
    }

    /// <summary>The <c>key=value</c> pairs of the last line that starts with <paramref name="prefix"/>.</summary>
    private static Dictionary<string, string> Fields(List<string> lines, string prefix = "RESULT") =>
        lines.LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => pair.Split('=', 2)).Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    private static double? Field(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
