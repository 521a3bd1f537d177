using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// A real Kestrel backend on loopback that fails the ways backends fail: <c>/hang</c> never answers, <c>/slow/{ms}</c>
/// answers late, <c>/reset-before</c> resets the connection before any response, <c>/reset-mid</c> resets it after
/// part of the body, <c>/drain</c> reads the whole request body and answers its length.
/// </summary>
internal sealed class FaultyBackend : IAsyncDisposable
{
    public const int MidResponseBytes = 1000;

    private readonly WebApplication _app;
    private int _hanging;
    private int _slow;

    private FaultyBackend(WebApplication app) => _app = app;

    public Uri Address => new(LoopbackApp.Address(_app) + "/");

    /// <summary>Requests parked in <c>/hang</c> right now.</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    /// <summary>Requests in <c>/slow</c> right now.</summary>
    public int Slow => Volatile.Read(ref _slow);

    public static async Task<FaultyBackend> StartAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        var app = builder.Build();
        var backend = new FaultyBackend(app);
        app.MapGet("/hang", backend.HangAsync);
        app.MapGet("/slow/{ms:int}", async (int ms, HttpContext context) =>
        {
            Interlocked.Increment(ref backend._slow);
            try
            {
                await Task.Delay(ms, context.RequestAborted);
                return "slow done";
            }
            finally
            {
                Interlocked.Decrement(ref backend._slow);
            }
        });
        app.MapGet("/reset-before", context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        app.MapGet("/reset-mid", async context =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[MidResponseBytes]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        app.MapPost("/drain", async context =>
        {
            long total = 0;
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await app.StartAsync();
        return backend;
    }

    private async Task HangAsync(HttpContext context)
    {
        Interlocked.Increment(ref _hanging);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the gateway gave up: exactly what the test wants
        }
        finally
        {
            Interlocked.Decrement(ref _hanging);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
