using System.Globalization;
using System.Net;

namespace MtlsLoad;

/// <summary>The command line of one run: <c>mtls-load SCENARIO --key value …</c>, every key optional but the endpoint.</summary>
internal sealed class LoadOptions
{
    private readonly Dictionary<string, string> _values;

    private LoadOptions(string scenario, Dictionary<string, string> values, IReadOnlyList<string> command)
    {
        Scenario = scenario;
        _values = values;
        Command = command;
    }

    /// <summary>What follows <c>--</c>: the other client's command line (the <c>external</c> scenario).</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>Which client produced a figure: this one, or the external one run.sh names.</summary>
    public string Client => Get("client", "mtls-load");

    public string Scenario { get; }

    public string Target => Get("target", "unnamed");

    public IPEndPoint Endpoint => new(IPAddress.Parse(Get("host", "127.0.0.1")), GetInt("port", 0));

    /// <summary>SNI and Host header.</summary>
    public string ServerName => Get("sni", "localhost");

    public string Path => Get("path", "/");

    /// <summary>Request headers to send with every request (<c>--header-file</c>: one <c>Name: value</c> a line, e.g. a
    /// bearer token, kept out of the process list).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _values.TryGetValue("header-file", out var file)
        ? File.ReadAllLines(file).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToArray()
        : [];

    public string CertificateFile => Get("cert", "client.crt");

    public string KeyFile => Get("key", "client.key");

    public int Connections => GetInt("connections", 64);

    public int Streams => GetInt("streams", 8);

    /// <summary>Requests/s offered in total by the keep-alive connections (0: as fast as each connection can).</summary>
    public double Rate => GetDouble("rate", 0);

    public TimeSpan Duration => TimeSpan.FromSeconds(GetDouble("duration", 20));

    public TimeSpan Warmup => TimeSpan.FromSeconds(GetDouble("warmup", 5));

    /// <summary>Offer TLS session resumption (the handshake scenario; SslClientAuthenticationOptions.AllowTlsResume).</summary>
    public bool Resume => GetBool("resume");

    /// <summary>The processes of the proxy under test, for CPU time and RSS from /proc.</summary>
    public IReadOnlyList<int> Pids => Get("pids", string.Empty)
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
        .ToArray();

    /// <summary>The idle scenario: how long the connections are held after they are all open.</summary>
    public TimeSpan Hold => TimeSpan.FromSeconds(GetDouble("hold", 5));

    /// <summary>Appends the JSON line to this file as well as printing it.</summary>
    public string? OutputFile => _values.GetValueOrDefault("out");

    public string? Note => _values.GetValueOrDefault("note");

    /// <summary>Which round of an interleaved run this is (run.sh --rounds): the report pairs targets by round.</summary>
    public int Round => GetInt("round", 1);

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("the first argument is the scenario");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var command = Array.Empty<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--")
            {
                command = args[(i + 1)..];
                break;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var key = args[i][2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[key] = hasValue ? args[++i] : "true";
        }

        return new LoadOptions(args[0], values, command);
    }

    public string Get(string key, string fallback) => _values.GetValueOrDefault(key) ?? fallback;

    public int GetInt(string key, int fallback) =>
        _values.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double GetDouble(string key, double fallback) =>
        _values.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public bool GetBool(string key) =>
        _values.TryGetValue(key, out var value) && bool.Parse(value);
}
