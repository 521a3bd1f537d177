using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Text.Json.Nodes;

namespace MtlsLoad.Scenarios;

/// <summary>
/// <c>h2</c>: C HTTP/2 connections (one <see cref="SocketsHttpHandler"/> each, so one connection each) × S
/// concurrent streams, closed loop → requests/s and latency.
/// </summary>
internal static class Http2Scenario
{
    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        var tls = new ClientTls(options).Create(allowResume: true, SslApplicationProtocol.Http2);
        var uri = new Uri($"https://{options.ServerName}:{options.Endpoint.Port}{options.Path}");
        var invokers = Enumerable.Range(0, options.Connections).Select(_ => new HttpMessageInvoker(new SocketsHttpHandler
        {
            SslOptions = tls,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(options.Endpoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })).ToArray();
        try
        {
            var (window, stats) = await MeasurementWindow.RunWorkersAsync(options, invokers.Length * options.Streams,
                (i, window, stats, abort) => WorkerAsync(invokers[i / options.Streams], uri, options.Headers, window, stats, abort));
            return RunResult.Create(options, "requests", "req/s", window, stats);
        }
        finally
        {
            foreach (var invoker in invokers)
            {
                invoker.Dispose();
            }
        }
    }

    private static async Task WorkerAsync(HttpMessageInvoker invoker, Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, MeasurementWindow window, WorkerStats stats, CancellationToken abort)
    {
        while (!window.Stopped)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri)
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await invoker.SendAsync(request, abort);
                var body = await response.Content.ReadAsByteArrayAsync(abort);
                if (window.Measuring)
                {
                    stats.Record(started, Stopwatch.GetTimestamp(), new Http1Response((int)response.StatusCode, body.Length, KeepAlive: true));
                }
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                await stats.FailedAsync(window, ex);
            }
        }
    }
}
