using System.Text.Json;
using MtlsLoad;
using MtlsLoad.Scenarios;

// mtls-load SCENARIO --port P [--key value …]: one bounded run, one JSON line on stdout (and appended to --out).
// mtls-load report --in results.jsonl --out results.md: the Markdown tables of a whole run.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("""
        usage: mtls-load keepalive|throughput|h2|handshake|idle --port P [options]
               mtls-load report --in RESULTS.jsonl --out RESULTS.md [--title TEXT]
          --host 127.0.0.1  --sni localhost (SNI and Host)  --path /
          --cert client.crt --key client.key (the PEM may hold the intermediates after the leaf)
          --connections 64  --streams 8 (h2)  --duration 20  --warmup 5 (seconds)
          --resume true|false (handshake)  --hold 5 (idle, seconds)
          --pids 1,2 (the proxy's processes: CPU time and RSS from /proc)  --target NAME  --label SCENARIO  --note TEXT
          --out FILE (append the JSON line)  --header-file FILE (headers sent with every request, "Name: value" a line)
               mtls-load token --cert client.crt --jwks JWKS.json --token-out TOKEN.txt
          a fresh ES256 key's JWKS and an access token bound (cnf.x5t#S256) to the certificate, for BoundToken
               mtls-load external --client NAME [--idle true] [same options] -- CLIENT-COMMAND …
          runs another client for --warmup + --duration (or until its READY line, then --hold, with --idle) and
          measures the proxy around it; the client's RESULT key=value line gives the figure
        """);
    return 0;
}

try
{
    if (args[0] == "report")
    {
        var reportOptions = LoadOptions.Parse(args);
        await File.WriteAllTextAsync(reportOptions.Get("out", "results.md"),
            MarkdownReport.Render(await File.ReadAllLinesAsync(reportOptions.Get("in", "results.jsonl")), reportOptions.Get("title", "Benchmark")));
        return 0;
    }

    var options = LoadOptions.Parse(args);
    if (options.Scenario == "token")
    {
        return await BoundToken.WriteAsync(options);
    }

    var result = options.Scenario switch
    {
        "keepalive" => await KeepAliveScenario.RunAsync(options, throughput: false),
        "throughput" => await KeepAliveScenario.RunAsync(options, throughput: true),
        "h2" => await Http2Scenario.RunAsync(options),
        "handshake" => await HandshakeScenario.RunAsync(options),
        "idle" => await IdleScenario.RunAsync(options),
        "external" => await ExternalScenario.RunAsync(options),
        _ => throw new ArgumentException($"unknown scenario '{options.Scenario}'"),
    };
    var line = result.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    Console.WriteLine(line);
    if (options.OutputFile is { } file)
    {
        await File.AppendAllTextAsync(file, line + Environment.NewLine);
    }

    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or System.Security.Cryptography.CryptographicException)
{
    await Console.Error.WriteLineAsync($"mtls-load: {ex.Message}");
    return 2;
}
