using System.Globalization;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// HAProxy (the Debian package) in TCP mode in front of gateway instances: PROXY v2 to each, HTTP health checks on
/// each instance's admin /readyz, retries with redispatch. Its stats page (CSV) tells which servers it sees UP.
/// </summary>
internal sealed class HaproxyBalancer : IAsyncDisposable
{
    private static readonly HttpClient Stats = new() { Timeout = TimeSpan.FromSeconds(5) };

    private HaproxyBalancer(BackgroundProcess process, int port, int statsPort)
    {
        Process = process;
        Port = port;
        StatsPort = statsPort;
    }

    public BackgroundProcess Process { get; }

    public int Port { get; }

    public int StatsPort { get; }

    public static HaproxyBalancer Start(string directory, IReadOnlyList<GatewayInstance> instances)
    {
        var port = RepositoryPaths.FreePort();
        var statsPort = RepositoryPaths.FreePort();
        var servers = string.Join('\n', instances.Select((g, i) =>
            string.Create(CultureInfo.InvariantCulture, $"    server g{i + 1} 127.0.0.1:{g.Port} check port {g.AdminPort}")));
        var config = string.Create(CultureInfo.InvariantCulture, $"""
            global
                log stderr format raw local0 info
                maxconn 256
                nbthread 1

            defaults
                mode tcp
                log global
                option tcplog
                timeout connect 1s
                timeout client 15s
                timeout server 15s
                # A connection refused by a stopped instance is retried, on another instance (redispatch).
                retries 3
                option redispatch 1

            frontend partners
                bind 127.0.0.1:{port}
                default_backend gateways

            backend gateways
                balance roundrobin
                # Health: each instance's admin /readyz (plain HTTP, no PROXY header: check-send-proxy is off).
                option httpchk GET /readyz
                http-check expect status 200
                default-server inter 300ms fall 2 rise 1 send-proxy-v2
            {servers}

            frontend stats
                mode http
                bind 127.0.0.1:{statsPort}
                stats enable
                stats uri /stats
            """);
        var path = Path.Combine(directory, "haproxy.cfg");
        File.WriteAllText(path, config + "\n");
        return new HaproxyBalancer(BackgroundProcess.Start("haproxy", "haproxy", ["-db", "-f", path]), port, statsPort);
    }

    /// <summary>Each server's status as HAProxy sees it (UP, DOWN, …), keyed by server name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ServerStatusAsync()
    {
        var csv = await Stats.GetStringAsync(new Uri($"http://127.0.0.1:{StatsPort}/stats;csv"));
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var name = Array.IndexOf(header, "svname");
        var proxy = Array.IndexOf(header, "pxname");
        var status = Array.IndexOf(header, "status");
        return lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f[proxy] == "gateways" && f[name] is not ("FRONTEND" or "BACKEND"))
            .ToDictionary(f => f[name], f => f[status]);
    }

    /// <summary>Polls the stats until <paramref name="expected"/> holds (bounded).</summary>
    public Task WaitForStatusAsync(Func<IReadOnlyDictionary<string, string>, bool> expected, TimeSpan timeout, string what) => Poll.UntilAsync(
        () => Process.HasExited ? throw new InvalidOperationException($"haproxy exited:\n{Process.Tail()}") : ServerStatusAsync(),
        expected, timeout,
        last => $"HAProxy seeing {what}; last: {string.Join(", ", (last ?? new Dictionary<string, string>()).Select(s => $"{s.Key}={s.Value}"))}\n{Process.Tail()}");

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
