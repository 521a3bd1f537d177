using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Demo;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// GATEWAY.md "Scale" on loopback with real parts: HAProxy in TCP mode sending PROXY v2 to two gateway processes
/// (the built binary) that share one config file, health-checked on their admin /readyz; curl from 127.0.0.2 as
/// the partner. Shows the real client address reaching logs and backend, an instance stopped mid-run costing no
/// request, and both instances converging on a changed config file.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ScaleOutTests : IAsyncLifetime
{
    private const string Partner = "127.0.0.2";
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtlsgw-scale-" + Guid.NewGuid().ToString("N")[..12]);
    private WebApplication _backend = null!;
    private GatewayInstance _first = null!;
    private GatewayInstance _second = null!;
    private HaproxyBalancer _haproxy = null!;

    private string ConfigPath => Path.Combine(_directory, "gateway.json");

    private string Pki(string file) => Path.Combine(_directory, "pki", file);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        DevPki.Write(Path.Combine(_directory, "pki"), DateTimeOffset.UtcNow);
        _backend = DemoBackendService.CreateEchoServer("http://127.0.0.1:0");
        await _backend.StartAsync();
        var backendUrl = _backend.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        // The shared file: one TLS listener requiring PROXY protocol from the balancer (127.0.0.1 only); each
        // instance's ports come from its environment. No Serilog section: CLEF on the console, which the test reads.
        var config = GatewayTestHost.DefaultConfig(backendUrl);
        var gateway = (JsonObject)config["Gateway"]!;
        ((JsonObject)gateway["Listeners"]!).Remove("plain");
        gateway["Listeners"]!["public"]!["ProxyProtocol"] = new JsonObject { ["Mode"] = "Required", ["TrustedNetworks"] = new JsonArray("127.0.0.1/32") };
        gateway["Reload"] = new JsonObject { ["PollInterval"] = "00:00:00.200" };
        config.Remove("Serilog");
        await File.WriteAllTextAsync(ConfigPath, config.ToJsonString());

        _first = GatewayInstance.Start("gateway-1", ConfigPath);
        _second = GatewayInstance.Start("gateway-2", ConfigPath);
        await Task.WhenAll(_first.WaitReadyAsync(Startup), _second.WaitReadyAsync(Startup));
        _haproxy = HaproxyBalancer.Start(_directory, [_first, _second]);
        await _haproxy.WaitForStatusAsync(s => s.Count == 2 && s.Values.All(v => v == "UP"), TimeSpan.FromSeconds(20), "both instances UP");
    }

    public async Task DisposeAsync()
    {
        foreach (var part in new IAsyncDisposable?[] { _haproxy, _first, _second })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }

        if (_backend is not null)
        {
            await _backend.StopAsync();
            await _backend.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Balancer_TwoInstancesWithPartnerBehindProxyV2_RealClientAddressInLogsAndForwardedFor()
    {
        for (var i = 0; i < 6; i++)
        {
            var (status, body) = await CurlAsync($"/orders/{i}");
            status.Should().Be(200, body);
            JsonDocument.Parse(body).RootElement.GetProperty("headers").GetProperty("X-Forwarded-For").GetString()
                .Should().Be(Partner, "the backend sees the partner, not HAProxy's 127.0.0.1");
        }

        // Round robin: each instance served three, and logged the partner's address, never the balancer's.
        foreach (var instance in new[] { _first, _second })
        {
            await instance.Process.WaitForLineAsync(l => instance.RequestRemoteIps().Count >= 3, TimeSpan.FromSeconds(10), "three RequestCompleted events");
            instance.RequestRemoteIps().Should().HaveCount(3).And.AllBe(Partner, instance.ToString());
        }
    }

    [Fact]
    public async Task Balancer_InstanceStoppedMidRun_NoRequestLostAndTheOtherKeepsServing()
    {
        const int Requests = 30;
        const int StopAfter = 6;
        var failures = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            if (i == StopAfter)
            {
                // A rolling update's SIGTERM. HAProxy has not noticed yet (its next health checks will): requests
                // meanwhile reach the stopped port, are refused at connect, and are redispatched to the other instance.
                await _first.Process.TerminateAsync(TimeSpan.FromSeconds(30));
            }

            var (status, body) = await CurlAsync($"/orders/{i}");
            if (status != 200)
            {
                failures.Add($"request {i}: {status} {body}");
            }
        }

        failures.Should().BeEmpty();
        _first.RequestRemoteIps().Should().HaveCount(StopAfter / 2, "round robin until the stop");
        _second.RequestRemoteIps().Should().HaveCount(Requests - (StopAfter / 2), "every request after the stop");
        await _haproxy.WaitForStatusAsync(s => s["g1"].StartsWith("DOWN", StringComparison.Ordinal) && s["g2"] == "UP", TimeSpan.FromSeconds(10),
            "the stopped instance DOWN by its /readyz check");
    }

    [Fact]
    public async Task SharedConfigFile_Changed_BothInstancesReloadTheSameVersion()
    {
        (await CurlAsync("/v2/orders")).Status.Should().Be(404, "no route serves /v2 yet");
        // The hash covers the effective configuration, environment overrides (each instance's ports) included,
        // so the instances' hashes differ; the version and the served routes are what must agree.
        var before = await _first.ConfigAsync();
        var secondBefore = await _second.ConfigAsync();
        secondBefore.Version.Should().Be(before.Version);

        var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(ConfigPath))!;
        config["ReverseProxy"]!["Routes"]!["orders-v2"] = new JsonObject
        {
            ["ClusterId"] = "echo",
            ["AuthorizationPolicy"] = "acme-orders",
            ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["Path"] = "/v2/{**rest}" },
        };
        await GatewayTestHost.ReplaceFileAsync(ConfigPath, config.ToJsonString());

        var (first, second) = await Poll.UntilAsync(
            async () => (await _first.ConfigAsync(), await _second.ConfigAsync()),
            both => both.Item1.Version == before.Version + 1 && both.Item2.Version == before.Version + 1,
            TimeSpan.FromSeconds(20), both => $"both instances at version {before.Version + 1}; saw {both}\n{_first.Process.Tail()}");

        first.Version.Should().Be(before.Version + 1, _first.Process.Tail());
        second.Version.Should().Be(first.Version, "both instances loaded the changed file: " + _second.Process.Tail());
        first.Hash.Should().NotBe(before.Hash);
        second.Hash.Should().NotBe(secondBefore.Hash);
        for (var i = 0; i < 4; i++)
        {
            (await CurlAsync("/v2/orders")).Status.Should().Be(200, "whichever instance the balancer picks has the new route");
        }
    }

    /// <summary>One request through HAProxy by curl, from the partner's address, with the dev client certificate.</summary>
    private async Task<(int Status, string Body)> CurlAsync(string path)
    {
        var port = _haproxy.Port.ToString(CultureInfo.InvariantCulture);
        var result = await ProcessRunner.RunAsync("curl",
        [
            "--silent", "--show-error", "--max-time", "15", "--interface", Partner,
            "--cacert", Pki("partners-root.crt"), "--cert", Pki("client.crt"), "--key", Pki("client.key"),
            "--resolve", $"localhost:{port}:127.0.0.1", "--write-out", "\n%{http_code}", $"https://localhost:{port}{path}",
        ], TimeSpan.FromSeconds(30));
        var output = result.StandardOutput;
        var split = output.LastIndexOf('\n');
        var status = split >= 0 && int.TryParse(output[(split + 1)..], CultureInfo.InvariantCulture, out var code) ? code : 0;
        return (result.ExitCode == 0 ? status : 0, split >= 0 ? output[..split] + result.StandardError : result.Output);
    }
}
