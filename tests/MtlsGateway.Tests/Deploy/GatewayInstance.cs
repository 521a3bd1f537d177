using System.Globalization;
using System.Text.Json;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// One gateway process (the real binary) reading a shared config file, with its own ports given by environment
/// overrides — as instances of one Deployment share a ConfigMap and differ by pod. Its console is CLEF.
/// </summary>
internal sealed class GatewayInstance : IAsyncDisposable
{
    private static readonly HttpClient Admin = new() { Timeout = TimeSpan.FromSeconds(5) };

    private GatewayInstance(BackgroundProcess process, int port, int adminPort)
    {
        Process = process;
        Port = port;
        AdminPort = adminPort;
    }

    public BackgroundProcess Process { get; }

    public int Port { get; }

    public int AdminPort { get; }

    public static GatewayInstance Start(string name, string configPath, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var port = RepositoryPaths.FreePort();
        var adminPort = RepositoryPaths.FreePort();
        var process = BackgroundProcess.Start(name, "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "mtls-gateway.dll"), "run", "--config", configPath],
            new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
            {
                ["Gateway__Listeners__public__Url"] = $"https://127.0.0.1:{port}",
                ["Gateway__Admin__Url"] = $"http://127.0.0.1:{adminPort}",
                ["DOTNET_NOLOGO"] = "1",
            });
        return new GatewayInstance(process, port, adminPort);
    }

    /// <summary>Polls /readyz until it answers 200 (bounded).</summary>
    public Task WaitReadyAsync(TimeSpan timeout) => Poll.UntilAsync(
        async () =>
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Process.Name} exited before it was ready:\n{Process.Tail()}");
            }

            using var response = await Admin.GetAsync(new Uri($"http://127.0.0.1:{AdminPort}/readyz"));
            return response.IsSuccessStatusCode;
        },
        ready => ready, timeout, _ => $"{Process.Name} ready\n{Process.Tail()}");

    /// <summary>The configuration this instance has in force, from its admin /config: (version, hash).</summary>
    public async Task<(long Version, string Hash)> ConfigAsync()
    {
        using var document = JsonDocument.Parse(await Admin.GetStringAsync(new Uri($"http://127.0.0.1:{AdminPort}/config")));
        return (document.RootElement.GetProperty("version").GetInt64(), document.RootElement.GetProperty("hash").GetString()!);
    }

    /// <summary>The RemoteIp of every <c>RequestCompleted</c> event this instance logged so far.</summary>
    public IReadOnlyList<string?> RequestRemoteIps() =>
        [.. Process.Lines.Select(Clef).Where(e => e is { } json && EventName(json) == "RequestCompleted")
            .Select(e => e!.Value.TryGetProperty("RemoteIp", out var ip) ? ip.GetString() : null)];

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private static JsonElement? Clef(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? EventName(JsonElement e) =>
        e.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Object && id.TryGetProperty("Name", out var name)
            ? name.GetString()
            : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Process.Name} (:{Port}, admin :{AdminPort})");
}
