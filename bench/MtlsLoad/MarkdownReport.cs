using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MtlsLoad;

/// <summary>
/// Turns a run's JSON lines into Markdown: one table per scenario with absolute figures, the gateway's ratio to each
/// peer (absolute and per CPU-second of the proxy), and the issue's targets with a verdict.
/// </summary>
internal static class MarkdownReport
{
    private const string Gateway = "gateway";

    // (scenario, gateway target, peer, minimum or maximum ratio, what it stands for) — issue 10's targets.
    private static readonly (string Scenario, string Subject, string Peer, double Limit, bool AtLeast, string Label)[] Targets =
    [
        ("keepalive", Gateway, "nginx", 1.0, true, "keep-alive req/s ≥ 1.0× nginx"),
        ("h2", Gateway, "nginx", 1.0, true, "HTTP/2 req/s ≥ 1.0× nginx (informative)"),
        ("handshake-full", Gateway, "nginx", 1.0, true, "full handshakes/s ≥ 1.0× nginx"),
        ("handshake-resumed", Gateway, "nginx", 1.0, true, "resumed handshakes/s ≥ 1.0× nginx"),
        ("passthrough", Gateway, "haproxy-tcp", 0.9, true, "passthrough MB/s ≥ 0.9× HAProxy"),
        ("passthrough-conn", Gateway, "haproxy-tcp", 0.9, true, "passthrough conn/s ≥ 0.9× HAProxy"),
        ("keepalive", "gateway-quiet", "yarp", 0.97, true, "policy + identity headers ≤ 3% vs plain YARP (request log off)"),
        ("keepalive", Gateway, "yarp", 0.97, true, "same, gateway as shipped (request log on)"),
        ("idle", Gateway, "nginx", 2.0, false, "memory per idle connection ≤ 2× nginx"),
    ];

    public static string Render(IEnumerable<string> lines, string title)
    {
        var results = lines.Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {title}\n\n");
        if (results.LastOrDefault(r => r["machine"] is not null)?["machine"] is JsonObject machine)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Machine: {machine["nproc"]} CPUs, {machine["cpuModel"]}, kernel {machine["kernel"]}, {machine["runtime"]}. ");
            text.Append("Load average (1/5/15 min) is given per row: a run while it was above ~0.5 shared the cores with other work.\n\n");
        }

        foreach (var scenario in results.Select(r => Str(r["scenario"])).Distinct())
        {
            var rows = results.Where(r => Str(r["scenario"]) == scenario).ToList();
            var first = rows[0];
            text.Append(CultureInfo.InvariantCulture, $"## {scenario}: {Str(first["metric"])} ({Str(first["unit"])})\n\n");
            text.Append("| target | value | unit | p50 ms | p99 ms | errors | proxy cores | per proxy CPU-s | CPU busy | load avg | note |\n");
            text.Append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n");
            foreach (var row in rows)
            {
                var busy = row["cpuBusy"] is JsonArray cpus ? string.Join(" / ", cpus.Select(c => Str(c))) : string.Empty;
                text.Append(CultureInfo.InvariantCulture,
                    $"| {Str(row["target"])} | {Str(row["value"])} | {Str(row["unit"])} | {Str(row["p50Ms"])} | {Str(row["p99Ms"])} | {Errors(row)} | {Str(row["proxyCores"])} | {Str(row["perProxyCpuSecond"])} | {busy} | {Str(row["machine"]?["loadAverage"])} | {Escape(Str(row["note"]))} |\n");
            }

            var gateway = rows.FirstOrDefault(r => Str(r["target"]) == Gateway);
            var peers = rows.Where(r => Str(r["target"]) != Gateway).ToList();
            if (gateway is not null && peers.Count > 0)
            {
                text.Append("\nGateway ÷ peer (absolute; per proxy CPU-second):");
                foreach (var peer in peers)
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $" {Str(peer["target"])} {Ratio(gateway["value"], peer["value"])}; {Ratio(gateway["perProxyCpuSecond"], peer["perProxyCpuSecond"])} ·");
                }

                text.Length -= 2;
                text.Append('\n');
            }

            text.Append('\n');
        }

        text.Append("## Targets (issue 10)\n\n| target | ratio | per proxy CPU-s | verdict |\n| --- | ---: | ---: | --- |\n");
        foreach (var (scenario, subject, peer, limit, atLeast, label) in Targets)
        {
            var a = results.FirstOrDefault(r => Str(r["scenario"]) == scenario && Str(r["target"]) == subject);
            var b = results.FirstOrDefault(r => Str(r["scenario"]) == scenario && Str(r["target"]) == peer);
            if (a is null || b is null)
            {
                continue;
            }

            var verdict = Verdict(RatioValue(a["value"], b["value"]), limit, atLeast);
            var saturated = a["proxyCores"] is null || (a["proxyCores"]!.GetValue<double>() >= 0.9 && b["proxyCores"]!.GetValue<double>() >= 0.9);
            if (!saturated)
            {
                // Below ~0.9 cores the load side was the limit: the per-CPU-second ratio is the fairer comparison.
                verdict += $" (a proxy was below 0.9 cores; per CPU-s: {Verdict(RatioValue(a["perProxyCpuSecond"], b["perProxyCpuSecond"]), limit, atLeast)})";
            }

            text.Append(CultureInfo.InvariantCulture,
                $"| {label} | {Ratio(a["value"], b["value"])} | {Ratio(a["perProxyCpuSecond"], b["perProxyCpuSecond"])} | {verdict} |\n");
        }

        return text.ToString();
    }

    private static string Verdict(double? ratio, double limit, bool atLeast) =>
        ratio is null ? "n/a" : (atLeast ? ratio >= limit : ratio <= limit) ? "met" : "missed";

    private static string Errors(JsonObject row) =>
        row["errors"] is null ? string.Empty : $"{Str(row["errors"])}{(row["non2xx"] is JsonNode n && Str(n) != "0" ? $" (+{Str(n)} non-2xx)" : string.Empty)}";

    private static double? RatioValue(JsonNode? a, JsonNode? b) =>
        a is null || b is null || b.GetValue<double>() == 0 ? null : a.GetValue<double>() / b.GetValue<double>();

    private static string Ratio(JsonNode? a, JsonNode? b) =>
        RatioValue(a, b) is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Str(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue value when value.TryGetValue(out string? s) => s ?? string.Empty,
        _ => node.ToJsonString(),
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
