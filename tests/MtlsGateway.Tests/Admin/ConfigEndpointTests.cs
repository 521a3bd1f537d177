using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>/config on the admin listener says which configuration is in force (version, hash, load time) and why
/// the last reload was refused, and never shows key or certificate material.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConfigEndpointTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Config_AfterStart_ShowsVersionHashAndLoadTimeWithoutSecrets()
    {
        var (text, json) = await GetConfigAsync();

        json.GetProperty("version").GetInt64().Should().Be(1);
        json.GetProperty("hash").GetString().Should().MatchRegex("^[0-9a-fA-F]{64}$");
        json.GetProperty("loadedAt").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        json.GetProperty("lastReloadErrors").GetArrayLength().Should().Be(0);
        AssertNoSecrets(text);
    }

    [Fact]
    public async Task Config_AfterRefusedReload_ShowsTheErrorsAndKeepsTheVersion()
    {
        await _host.EditConfigAsync(config => config["Gateway"]!["DefaultPolicy"] = "no-such-policy");
        await _host.Logs.WaitForAsync("ConfigReloadFailed");

        var (text, json) = await GetConfigAsync();

        json.GetProperty("version").GetInt64().Should().Be(1);
        json.GetProperty("lastReloadErrors").EnumerateArray().Select(e => e.GetString()).Should().Contain(e => e!.Contains("no-such-policy"));
        json.TryGetProperty("lastReloadFailedAt", out _).Should().BeTrue();
        AssertNoSecrets(text);

        var metrics = await PrometheusText.ScrapeAsync(_host.AdminPort);
        metrics.Sum("mtls_gateway_config_reloads_total", ("result", "failed")).Should().Be(1);
        metrics.Sum("mtls_gateway_config_reloads_total", ("result", "ok")).Should().Be(0);
    }

    private void AssertNoSecrets(string text)
    {
        text.Should().NotContain("PRIVATE KEY").And.NotContain("BEGIN");
        // No line of any key file's base64 body, whatever the encoding around it.
        foreach (var keyFile in Directory.GetFiles(_host.Pki(""), "*.key"))
        {
            foreach (var line in File.ReadAllLines(keyFile).Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)))
            {
                text.Should().NotContain(line, $"{Path.GetFileName(keyFile)} must not leak");
            }
        }
    }

    private async Task<(string Text, JsonElement Json)> GetConfigAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var response = await client.GetAsync(new Uri($"http://127.0.0.1:{_host.AdminPort}/config"));
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return (text, JsonDocument.Parse(text).RootElement.Clone());
    }
}
