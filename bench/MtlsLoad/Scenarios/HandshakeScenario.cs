using System.Diagnostics;
using System.Net.Security;
using System.Text.Json.Nodes;

namespace MtlsLoad.Scenarios;

/// <summary>
/// <c>handshake</c>: C loops, each opening a new TLS connection per request (the server verifies the client
/// certificate every time), sending one <c>Connection: close</c> request and closing → connections/s.
/// <c>--resume true</c> lets .NET's client offer the session it cached (TLS 1.3 tickets; .NET 9+ resumes with
/// client certificates on Linux, dotnet/runtime#102656); without it every handshake is full.
/// </summary>
internal static class HandshakeScenario
{
    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        var tls = new ClientTls(options).Create(options.Resume, SslApplicationProtocol.Http11);
        var request = Http1Connection.BuildRequest(options.ServerName, options.Path, close: true, options.Headers);
        var (window, stats) = await MeasurementWindow.RunWorkersAsync(options, options.Connections,
            (_, window, stats, abort) => WorkerAsync(options, tls, request, window, stats, abort));
        return RunResult.Create(options, options.Resume ? "resumed handshakes" : "full handshakes", "conn/s", window, stats);
    }

    private static async Task WorkerAsync(
        LoadOptions options, SslClientAuthenticationOptions tls, byte[] request, MeasurementWindow window, WorkerStats stats,
        CancellationToken abort)
    {
        while (!window.Stopped)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var connection = await Http1Connection.OpenAsync(options.Endpoint, tls, 16 * 1024, abort);
                var response = await connection.SendAsync(request, abort);
                if (window.Measuring)
                {
                    stats.Record(started, Stopwatch.GetTimestamp(), response);
                    if (!connection.LocalCertificateSent)
                    {
                        stats.WithoutLocalCertificate++;
                    }
                }
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                await stats.FailedAsync(window, ex);
            }
        }
    }
}
