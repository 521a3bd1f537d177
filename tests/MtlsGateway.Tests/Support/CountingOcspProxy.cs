using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MtlsGateway.Tests.Support;

/// <summary>A loopback HTTP server the test controls in front of a real OCSP responder: counts the requests the gateway
/// makes and passes each on unchanged; or, <see cref="Hang"/>, accepts and never answers.</summary>
internal sealed class CountingOcspProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new();
    private TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    private CountingOcspProxy(WebApplication app) => _app = app;

    public string Url { get; private set; } = string.Empty;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The responder requests are passed to (null: requests are held unanswered).</summary>
    public string? Upstream { get; set; }

    /// <summary>Accept requests and never answer them.</summary>
    public bool Hang { get; set; }

    /// <summary>Completes at the next request.</summary>
    public Task NextRequest => Volatile.Read(ref _requested).Task;

    /// <summary>Starts on a loopback port chosen at bind: its <see cref="Url"/> is known before the responder behind it starts.</summary>
    public static async Task<CountingOcspProxy> StartAsync()
    {
        var app = LoopbackApp.CreateBuilder().Build();
        var proxy = new CountingOcspProxy(app);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Url = LoopbackApp.Address(app) + "/ocsp";
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Exchange(ref _requested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (Hang || Upstream is not { } upstream)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(context.Request.ContentType ?? "application/ocsp-request");
        try
        {
            using var answer = await _client.PostAsync(new Uri(upstream), content);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = "application/ocsp-response";
            await context.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync());
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
    }
}
