using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MtlsGateway.Tests.Support;

/// <summary>A real HTTP server on loopback playing a CA's CRL distribution point: serves what the test publishes (with
/// an ETag, answering 304 to a matching If-None-Match), counts requests, and can be switched down (503), hung (accepts,
/// never answers) or huge (streams 200 MB with no Content-Length at paths ending in huge.crl).</summary>
internal sealed class CrlDistributionServer : IAsyncDisposable
{
    public const long HugeSize = 200L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, byte[]> _published = new();
    private readonly WebApplication _app;
    private TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _notModified;

    private CrlDistributionServer(WebApplication app) => _app = app;

    public enum Behaviour
    {
        Serve,
        Down,
        Hang,
        Huge,
    }

    public Behaviour Mode { get; set; }

    public string BaseUrl { get; private set; } = string.Empty;

    public int Requests => Volatile.Read(ref _requests);

    public int NotModifiedAnswers => Volatile.Read(ref _notModified);

    /// <summary>Completes at the next request.</summary>
    public Task NextRequest => Volatile.Read(ref _requested).Task;

    public static async Task<CrlDistributionServer> StartAsync()
    {
        var app = LoopbackApp.CreateBuilder().Build();
        var server = new CrlDistributionServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = LoopbackApp.Address(app);
        return server;
    }

    public string Url(string path) => $"{BaseUrl}/{path}";

    public void Publish(string path, byte[] crl) => _published["/" + path] = crl;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Exchange(ref _requested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        switch (Mode)
        {
            case Behaviour.Down:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            case Behaviour.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case Behaviour.Huge when context.Request.Path.Value!.EndsWith("huge.crl", StringComparison.Ordinal):
                await WriteHugeAsync(context);
                return;
        }

        if (!_published.TryGetValue(context.Request.Path.Value!, out var crl))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var etag = "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(crl))[..16] + "\"";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            Interlocked.Increment(ref _notModified);
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.Headers.ETag = etag;
        context.Response.ContentType = "application/pkix-crl";
        await context.Response.Body.WriteAsync(crl);
    }

    private static async Task WriteHugeAsync(HttpContext context)
    {
        var chunk = new byte[64 * 1024];
        chunk[0] = 0x30;
        try
        {
            for (long sent = 0; sent < HugeSize && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading: what the test wants to see.
        }
    }
}
