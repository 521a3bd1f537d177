using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;

namespace MtlsGateway.Tests.Support;

/// <summary>The small real Kestrel apps tests stand up beside a gateway (backends, CRL servers): quiet, on loopback.</summary>
internal static class LoopbackApp
{
    /// <summary>A builder with no logging, listening on <paramref name="url"/> (an HTTP loopback port chosen at bind by default).</summary>
    public static WebApplicationBuilder CreateBuilder(string? url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder(HostConfiguration.Options());
        builder.Logging.ClearProviders();
        if (url is not null)
        {
            builder.WebHost.UseUrls(url);
        }

        return builder;
    }

    /// <summary>The first address the started app is bound to, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
