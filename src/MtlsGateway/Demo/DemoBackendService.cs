using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Demo;

/// <summary>
/// Development only (<c>Gateway:DemoBackend</c>): an echo backend in the gateway's process, so that the README's
/// one command gives a working demo. It answers every request with JSON: method, path, query and the headers it
/// received — which shows exactly what the gateway forwards.
/// </summary>
public sealed class DemoBackendService(string url, ILogger<DemoBackendService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The bound address (useful when the configured port is 0).</summary>
    public string? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _app = CreateEchoServer(url);
        await _app.StartAsync(cancellationToken);
        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        logger.DemoBackendStarted(Address ?? url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>A minimal Kestrel app answering every request with its echo.</summary>
    public static WebApplication CreateEchoServer(string url)
    {
        var builder = WebApplication.CreateSlimBuilder(HostConfiguration.Options());
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.Run(EchoAsync);
        return app;
    }

    public static async Task EchoAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("backend", "mtls-gateway demo echo");
        json.WriteString("method", context.Request.Method);
        json.WriteString("path", context.Request.Path.Value);
        json.WriteString("query", context.Request.QueryString.Value);
        json.WriteStartObject("headers");
        foreach (var (name, values) in context.Request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            json.WriteString(name, values.ToString());
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
