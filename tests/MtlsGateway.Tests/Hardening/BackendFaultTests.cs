using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Backends that reset or go silent: the client gets problem+json 502 or 504 within the configured timeout (the
/// gateway's <c>Gateway:Limits:BackendActivityTimeout</c>, or a cluster's own <c>HttpRequest:ActivityTimeout</c>),
/// never a hang; a response cut mid-body is cut for the client too, never completed with made-up bytes.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class BackendFaultTests : IAsyncLifetime
{
    private FaultyBackend _backend = null!;
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _backend = await FaultyBackend.StartAsync();
        _host = await GatewayTestHost.StartAsync((config, _) =>
        {
            HardeningConfig.Limits(config, ("BackendActivityTimeout", "00:00:01"));
            HardeningConfig.FaultyRoutes(config, _backend.Address);
        });
    }

    [Fact]
    public async Task Backend_ResetBeforeResponse_Is502Problem()
    {
        using var client = _host.CreateClient();

        using var response = await client.GetAsync(new Uri("/reset-before", UriKind.Relative));

        await ShouldBeProblem(response, HttpStatusCode.BadGateway);
        var logged = await _host.Logs.WaitForAsync("BackendFailed", e => LogSink.Property(e, "Route") == "faulty-reset-before");
        LogSink.Property(logged, "Status").Should().Be("502");
    }

    [Fact]
    public async Task Backend_SilentPastActivityTimeout_Is504ProblemAndBackendRequestCancelled()
    {
        using var client = _host.CreateClient();
        var clock = Stopwatch.StartNew();

        using var response = await client.GetAsync(new Uri("/hang", UriKind.Relative));

        await ShouldBeProblem(response, HttpStatusCode.GatewayTimeout);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "BackendActivityTimeout is 1 s, far below YARP's built-in 100 s");
        await Deploy.Poll.UntilAsync(() => Task.FromResult(_backend.Hanging), n => n == 0, TimeSpan.FromSeconds(10),
            n => $"{n} backend requests still parked: the gateway did not cancel them");
    }

    [Fact]
    public async Task Backend_ResetMidResponse_IsNeverCompletedForTheClient()
    {
        using var client = _host.CreateClient();

        // Where the gateway was when the reset came is a race: before its status line went out, the client gets a 502
        // problem; after, the client's response (or its connection) breaks. Never a short body passed off as complete.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        HttpResponseMessage? response = null;
        try
        {
            response = await client.GetAsync(new Uri("/reset-mid", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.BadGateway)
            {
                await ShouldBeProblem(response, HttpStatusCode.BadGateway);
            }
            else
            {
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                await body.CopyToAsync(Stream.Null, timeout.Token);
                Assert.Fail($"the client got a complete {(int)response.StatusCode} response from a backend that reset mid-body");
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // the response, or the connection under it, broke: what a client must see
        }
        finally
        {
            response?.Dispose();
        }

        await _host.Logs.WaitForAsync("BackendFailed", e => LogSink.Property(e, "Route") == "faulty-reset-mid");
    }

    [Fact]
    public async Task ClusterActivityTimeout_OverridesGatewayDefault()
    {
        await using var backend = await FaultyBackend.StartAsync();
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            HardeningConfig.Limits(config, ("BackendActivityTimeout", "00:00:01"));
            HardeningConfig.FaultyRoutes(config, backend.Address, cluster => cluster["HttpRequest"] = new System.Text.Json.Nodes.JsonObject { ["ActivityTimeout"] = "00:00:05" });
        });
        using var client = host.CreateClient();

        // 2 s is past the gateway default (1 s) but within the cluster's own 5 s: the cluster's setting wins.
        using var response = await client.GetAsync(new Uri("/slow/2000", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    internal static async Task ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().Should().Be((int)status);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
