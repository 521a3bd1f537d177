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

    // (scenario, gateway target, peer, minimum or maximum ratio, what it stands for) — issue 10's targets (absolute
    // ratios), then issue 27's (per proxy CPU-second, with every client; "+ -lean" rows judge the gateway-lean target too).
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
        ("keepalive", "gateway-quiet", "yarp-headers", 0.97, true, "policy alone ≤ 3% vs plain YARP sending the same identity headers (informative)"),
        ("idle", Gateway, "nginx", 2.0, false, "memory per idle connection ≤ 2× nginx"),
        ("keepalive", Gateway, "nginx", 0.8, true, "issue 27: keep-alive ≥ 0.8× nginx per CPU-s"),
        ("handshake-full", Gateway, "nginx", 0.9, true, "issue 27: full handshakes ≥ 0.9× nginx per CPU-s"),
        ("handshake-resumed", Gateway, "nginx", 0.9, true, "issue 27: resumed handshakes ≥ 0.9× nginx per CPU-s"),
        ("passthrough", Gateway, "haproxy-tcp", 0.95, true, "issue 27: passthrough ≥ 0.95× HAProxy MB/s"),
        ("idle", Gateway, "nginx", 1.5, false, "issue 27: memory per idle connection ≤ 1.5× nginx"),
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

        var rounds = results.Select(Round).Distinct().Count();
        if (rounds > 1)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Every scenario ran its targets in {rounds} interleaved rounds. Each figure is the median over the rounds (the `rounds` column lists them); each ratio is the median of the ratios within a round, so a slow minute of the machine weighs on both sides of a ratio.\n\n");
        }

        var clients = results.Select(Client).Distinct().ToList();
        if (clients.Count > 1)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Clients: {string.Join(", ", clients.Select(c => $"`{c}`"))}. Every figure and ratio names the client that produced it; a ratio pairs two targets measured by the same client in the same round.\n\n");
        }

        foreach (var scenario in results.Select(r => Str(r["scenario"])).Distinct())
        {
            var rows = results.Where(r => Str(r["scenario"]) == scenario).ToList();
            var first = rows[0];
            text.Append(CultureInfo.InvariantCulture, $"## {scenario}: {Str(first["metric"])} ({Str(first["unit"])})\n\n");
            text.Append("| client | target | value | unit | p50 ms | p99 ms | errors | proxy cores | per proxy CPU-s | client cores | CPU busy | load avg | rounds | note |\n");
            text.Append("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |\n");
            foreach (var client in rows.Select(Client).Distinct())
            {
                foreach (var target in rows.Where(r => Client(r) == client).Select(r => Str(r["target"])).Distinct())
                {
                    var runs = rows.Where(r => Client(r) == client && Str(r["target"]) == target).ToList();
                    var last = runs[^1];
                    var busy = last["cpuBusy"] is JsonArray cpus ? string.Join(" / ", cpus.Select(c => Str(c))) : string.Empty;
                    var values = runs.Count > 1 ? string.Join(" ", runs.Select(r => Str(r["value"]))) : string.Empty;
                    text.Append(CultureInfo.InvariantCulture,
                        $"| {client} | {target} | {Median(runs, "value")} | {Str(first["unit"])} | {Median(runs, "p50Ms")} | {Median(runs, "p99Ms")} | {string.Join(" ", runs.Select(Errors).Distinct())} | {Median(runs, "proxyCores")} | {Median(runs, "perProxyCpuSecond")} | {Median(runs, "loadGenCores")} | {busy} | {Str(last["machine"]?["loadAverage"])} | {values} | {Escape(string.Join(" ", runs.Select(r => Str(r["note"])).Distinct()))} |\n");
                }
            }

            var targets = rows.Select(r => Str(r["target"])).Distinct().ToList();
            var subjects = targets.Where(t => t.StartsWith(Gateway, StringComparison.Ordinal)).ToList();
            var peers = targets.Where(t => !t.StartsWith(Gateway, StringComparison.Ordinal)).ToList();
            var scenarioClients = rows.Select(Client).Distinct().ToList();
            if (subjects.Count > 0 && targets.Count > 1 && (peers.Count > 0 || subjects.Count > 1))
            {
                // Side by side: one column per client, each cell "absolute; per proxy CPU-second".
                text.Append(CultureInfo.InvariantCulture,
                    $"\n| ratio (absolute; per proxy CPU-s) | {string.Join(" | ", scenarioClients)} |\n| --- |{string.Concat(scenarioClients.Select(_ => " ---: |"))}\n");
                foreach (var subject in subjects)
                {
                    // A gateway variant is also compared with gateway-lean, its baseline (Online vs None, OTLP, traces, before/after).
                    foreach (var peer in targets.Where(t => t != subject
                        && (peers.Contains(t) || subject == Gateway || (t == Gateway + "-lean" && subject != Gateway))))
                    {
                        var cells = scenarioClients.Select(c =>
                        {
                            var mine = rows.Where(r => Client(r) == c).ToList();
                            var ratio = RoundRatio(mine, subject, peer, "value");
                            return ratio is null ? "–" : $"{Format(ratio)}; {Format(RoundRatio(mine, subject, peer, "perProxyCpuSecond"))}";
                        }).ToList();
                        if (cells.Any(c => c != "–"))
                        {
                            text.Append(CultureInfo.InvariantCulture, $"| {subject} ÷ {peer} | {string.Join(" | ", cells)} |\n");
                        }
                    }
                }
            }

            text.Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture,
            $"## Targets (issues 10 and 27), per client\n\n| target | client | ratio | per proxy CPU-s | verdict |\n| --- | --- | ---: | ---: | --- |\n");
        foreach (var (scenario, subject, peer, limit, atLeast, label) in Targets)
        {
            foreach (var client in clients)
            {
                var rows = results.Where(r => Str(r["scenario"]) == scenario && Client(r) == client).ToList();
                // gateway-lean (issue 27's setup) is judged against the peers too; the YARP rows are about gateway-quiet.
                foreach (var who in peer.StartsWith("yarp", StringComparison.Ordinal) ? [subject] : new[] { subject, subject + "-lean" })
                {
                    var ratio = RoundRatio(rows, who, peer, "value");
                    if (ratio is null)
                    {
                        continue;
                    }

                    var perCpu = RoundRatio(rows, who, peer, "perProxyCpuSecond");
                    var verdict = Verdict(label.EndsWith("per CPU-s", StringComparison.Ordinal) ? perCpu : ratio, limit, atLeast);
                    var cores = rows.Where(r => Str(r["target"]) == who || Str(r["target"]) == peer).Select(r => Number(r["proxyCores"])).ToList();
                    if (cores.Any(c => c is < 0.9))
                    {
                        // Below ~0.9 cores the load side was the limit: the per-CPU-second ratio is the fairer comparison.
                        verdict += $" (a proxy was below 0.9 cores; per CPU-s: {Verdict(perCpu, limit, atLeast)})";
                    }

                    text.Append(CultureInfo.InvariantCulture, $"| {label}{(who == subject ? string.Empty : $" ({who})")} | {client} | {Format(ratio)} | {Format(perCpu)} | {verdict} |\n");
                }
            }
        }

        return text.ToString();
    }

    private static string Client(JsonObject row) => row["client"] is JsonNode client ? Str(client) : "mtls-load";

    private static int Round(JsonObject row) => row["round"] is JsonNode round ? round.GetValue<int>() : 1;

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out double number) ? number : null;

    private static string Median(IEnumerable<JsonObject> runs, string field) =>
        MedianOf(runs.Select(r => Number(r[field])).OfType<double>()) is { } median
            ? Math.Round(median, 3).ToString(CultureInfo.InvariantCulture)
            : string.Empty;

    private static double? MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The median over rounds of <paramref name="a"/> ÷ <paramref name="b"/>, pairing the runs of one round.</summary>
    private static double? RoundRatio(List<JsonObject> rows, string a, string b, string field)
    {
        var ratios = new List<double>();
        foreach (var round in rows.Select(Round).Distinct())
        {
            var x = rows.FirstOrDefault(r => Round(r) == round && Str(r["target"]) == a);
            var y = rows.FirstOrDefault(r => Round(r) == round && Str(r["target"]) == b);
            if (Number(x?[field]) is { } numerator && Number(y?[field]) is { } denominator && denominator != 0)
            {
                ratios.Add(numerator / denominator);
            }
        }

        return MedianOf(ratios);
    }

    private static string Verdict(double? ratio, double limit, bool atLeast) =>
        ratio is null ? "n/a" : (atLeast ? ratio >= limit : ratio <= limit) ? "met" : "missed";

    private static string Errors(JsonObject row) =>
        row["errors"] is null ? string.Empty : $"{Str(row["errors"])}{(row["non2xx"] is JsonNode n && Str(n) != "0" ? $" (+{Str(n)} non-2xx)" : string.Empty)}";

    private static string Format(double? ratio) =>
        ratio is { } value ? value.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Str(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue value when value.TryGetValue(out string? s) => s ?? string.Empty,
        _ => node.ToJsonString(),
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
