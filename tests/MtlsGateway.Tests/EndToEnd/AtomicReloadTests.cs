using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A reload is one swap of the gateway's configuration and YARP's: a request sees the route and the policy
/// of one configuration, and a file YARP would refuse is a refused reload that leaves the last good one serving.</summary>
[Trait("Category", "EndToEnd")]
public sealed class AtomicReloadTests
{
    [Fact]
    public async Task RouteAndPolicyChangedTogether_UnderLoad_NoRequestSeesOneWithTheOther()
    {
        // Version 1: /v1 under a policy that admits the client. Version 2: the route moves to /v2 and the policy
        // admits someone else. Consistent answers: /v1 200 (v1) or 404 (v2); /v2 404 (v1) or 403 (v2).
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            config["Gateway"]!["Policies"]!["movers"] = new JsonObject
            {
                ["Mode"] = "Strict",
                ["TrustStore"] = "partners",
                ["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("acme-orders-client") },
            };
            config["ReverseProxy"]!["Routes"]!["moving"] = new JsonObject
            {
                ["ClusterId"] = "echo",
                ["AuthorizationPolicy"] = "movers",
                ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["Path"] = "/v1/{**rest}" },
            };
        });
        var seen = new ConcurrentBag<(string Path, HttpStatusCode Status, string Body)>();
        using var stop = new CancellationTokenSource();
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = int.MaxValue;
        var clients = Enumerable.Range(0, 3).Select(_ => host.CreateClient("localhost", "client")).ToList();
        var load = clients.Select(client => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var path = i % 2 == 0 ? $"/v1/{i}" : $"/v2/{i}";
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative), CancellationToken.None);
                seen.Add((path, response.StatusCode, await response.Content.ReadAsStringAsync(CancellationToken.None)));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    admitted.TrySetResult();
                }

                if (seen.Count >= Volatile.Read(ref target))
                {
                    enough.TrySetResult();
                }
            }
        })).ToList();
        await admitted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await host.EditConfigAsync(config =>
        {
            config["Gateway"]!["Policies"]!["movers"]!["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("someone-else") };
            config["ReverseProxy"]!["Routes"]!["moving"]!["Match"]!["Path"] = "/v2/{**rest}";
        });
        await host.WaitForReloadAsync(2);
        Volatile.Write(ref target, seen.Count + 60);
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        clients.ForEach(c => c.Dispose());

        var answers = seen.ToList();
        answers.Should().NotContain(s => s.Path.StartsWith("/v2/", StringComparison.Ordinal) && s.Status == HttpStatusCode.OK,
            "the new route under the old policy would let the client through to /v2");
        answers.Should().NotContain(s => s.Body.Contains("\"path\": \"/v2/", StringComparison.Ordinal), "the backend never receives /v2 for this client");
        answers.Should().NotContain(s => s.Path.StartsWith("/v1/", StringComparison.Ordinal) && s.Status == HttpStatusCode.Forbidden,
            "the old route under the new policy would refuse the client on /v1");
        answers.Should().Contain(s => s.Path.StartsWith("/v2/", StringComparison.Ordinal) && s.Status == HttpStatusCode.Forbidden, "version 2 serves");
        answers.Should().OnlyContain(s => s.Status == HttpStatusCode.OK || s.Status == HttpStatusCode.NotFound || s.Status == HttpStatusCode.Forbidden,
            string.Join(", ", answers.Select(a => $"{a.Path} {(int)a.Status}").Distinct().Take(20)));
    }

    [Fact]
    public async Task RouteYarpRejectsOnReload_OldRouteKeepsServingAndTheReloadIsRefused()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        await host.EditConfigAsync(config =>
        {
            var route = config["ReverseProxy"]!["Routes"]!["orders"]!;
            route["Match"]!["Path"] = "/orders-v2/{**rest}";
            route["Transforms"] = new JsonArray(new JsonObject { ["RequestHeaderFrob"] = "x" });
        });
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        using var old = await client.GetAsync(new Uri("/orders/2", UriKind.Relative));
        using var moved = await client.GetAsync(new Uri("/orders-v2/2", UriKind.Relative));
        var config = await AdminApi.GetAsync(host, "/config");
        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);

        failed.RenderMessage().Should().Contain("ReverseProxy:Routes:orders:Transforms: Unknown transform: RequestHeaderFrob");
        host.Logs.Named("ConfigReloaded").Should().BeEmpty();
        old.StatusCode.Should().Be(HttpStatusCode.OK, "the last good route keeps serving");
        moved.StatusCode.Should().Be(HttpStatusCode.NotFound);
        config.GetProperty("version").GetInt64().Should().Be(1);
        config.GetProperty("lastReloadErrors").EnumerateArray().Select(e => e.GetString())
            .Should().Contain(e => e!.Contains("ReverseProxy:Routes:orders:Transforms"));
        metrics.Sum("mtls_gateway_config_reloads_total", ("result", "failed")).Should().Be(1);
        metrics.Sum("mtls_gateway_config_reloads_total", ("result", "ok")).Should().Be(0);
    }
}
