using System.Diagnostics;
using System.Net.Security;
using System.Text.Json.Nodes;

namespace MtlsLoad.Scenarios;

/// <summary>
/// <c>keepalive</c>: C HTTP/1.1 connections, closed loop (one request in flight per connection) → requests/s and
/// latency. <c>throughput</c>: the same loop on a large response → MB/s of body (used through passthrough).
/// A connection the server closes is reopened (and the reconnect counted in its request's latency).
/// With <c>--rate R</c> the connections together send at most R requests/s (each paced to R/C), so that two proxies
/// measured side by side serve the same load and their CPU time per request compares at the same operating point.
/// </summary>
internal static class KeepAliveScenario
{
    public static async Task<JsonObject> RunAsync(LoadOptions options, bool throughput)
    {
        var tls = new ClientTls(options).Create(allowResume: true, SslApplicationProtocol.Http11);
        var request = Http1Connection.BuildRequest(options.ServerName, options.Path, close: false, options.Headers);
        var bufferSize = throughput ? 256 * 1024 : 16 * 1024;
        var (window, stats) = await MeasurementWindow.RunWorkersAsync(options, options.Connections,
            (_, window, stats, abort) => WorkerAsync(options, tls, request, bufferSize, window, stats, abort));
        return throughput
            ? RunResult.Create(options, "throughput", "MB/s", window, stats, rateIsBytes: true)
            : RunResult.Create(options, "requests", "req/s", window, stats);
    }

    private static async Task WorkerAsync(
        LoadOptions options, SslClientAuthenticationOptions tls, byte[] request, int bufferSize, MeasurementWindow window,
        WorkerStats stats, CancellationToken abort)
    {
        Http1Connection? connection = null;
        var interval = options.Rate > 0 ? TimeSpan.FromSeconds(options.Connections / options.Rate) : TimeSpan.Zero;
        var due = Stopwatch.GetTimestamp();
        try
        {
            while (!window.Stopped)
            {
                if (interval > TimeSpan.Zero)
                {
                    // Paced from a schedule, not from the last response; a late connection catches up at most 1 s.
                    due = Math.Max(due + (long)(interval.TotalSeconds * Stopwatch.Frequency), Stopwatch.GetTimestamp() - Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, abort);
                    }
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    connection ??= await Http1Connection.OpenAsync(options.Endpoint, tls, bufferSize, abort);
                    var response = await connection.SendAsync(request, abort);
                    if (window.Measuring)
                    {
                        stats.Record(started, Stopwatch.GetTimestamp(), response);
                    }

                    if (!response.KeepAlive)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
                catch (Exception ex) when (!abort.IsCancellationRequested)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    await stats.FailedAsync(window, ex);
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
