using System.Net.Security;
using System.Text.Json.Nodes;

namespace MtlsLoad.Scenarios;

/// <summary>
/// <c>idle</c>: opens N mTLS connections (<c>--connections</c>, 32 at a time), sends one keep-alive request on each
/// so every connection has reached its HTTP idle state, holds them all for <c>--hold</c> seconds, and reports the
/// growth of the proxy's resident memory (VmRSS summed over <c>--pids</c>) per connection.
/// </summary>
internal static class IdleScenario
{
    private const int OpenConcurrency = 32;

    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        var tls = new ClientTls(options).Create(allowResume: false, SslApplicationProtocol.Http11);
        var request = Http1Connection.BuildRequest(options.ServerName, options.Path, close: false, options.Headers);
        var probe = new ProcessProbe(options.Pids);
        var before = probe.Take();
        var connections = new System.Collections.Concurrent.ConcurrentBag<Http1Connection>();
        var errors = 0;
        string? lastError = null;
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await Parallel.ForAsync(0, options.Connections, new ParallelOptions { MaxDegreeOfParallelism = OpenConcurrency, CancellationToken = abort.Token },
                async (_, cancellationToken) =>
                {
                    try
                    {
                        var connection = await Http1Connection.OpenAsync(options.Endpoint, tls, 4096, cancellationToken);
                        connections.Add(connection);
                        await connection.SendAsync(request, cancellationToken);
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref errors);
                        lastError = ex.GetBaseException().Message;
                    }
                });

            // Let the proxy settle (timers, buffers returned to pools), then sample at the start and the end of the hold.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var held = probe.Take();
            await Task.Delay(options.Hold);
            var after = probe.Take();
            var open = options.Connections - errors;
            var grownKiB = Math.Max(held.ProxyRssKiB, after.ProxyRssKiB) - before.ProxyRssKiB;
            var result = RunResult.Common(options, "memory per idle connection", "KiB/conn",
                open > 0 ? Math.Round((double)grownKiB / open, 2) : 0, higherIsBetter: false);
            result["opened"] = open;
            result["errors"] = errors;
            result["lastError"] = lastError;
            result["rssBeforeKiB"] = before.ProxyRssKiB;
            result["rssHeldKiB"] = held.ProxyRssKiB;
            result["rssAfterHoldKiB"] = after.ProxyRssKiB;
            result["holdSeconds"] = options.Hold.TotalSeconds;
            return result;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
