using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Ops;
using MtlsGateway.Runtime;

namespace MtlsGateway.Admin;

/// <summary>The admin listener: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus text), <c>/config</c> (no secrets),
/// the status page at <c>/</c> (<see cref="StatusPage"/>) and its JSON (<c>/api/partners</c>, <c>/api/refusals</c>,
/// <c>/api/expiry</c>, <c>/api/routes</c>, <c>/api/revocation</c>: every known CRL). Served only on the
/// admin listener, never on a partner-facing one, and only to a Host it knows (<see cref="AdminHosts"/>; 421 otherwise).</summary>
public static class AdminEndpoints
{
    public static Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        var state = services.GetRequiredService<GatewayState>();
        var bound = context.RequestServices.GetRequiredService<BoundListeners>().EndPointOf(BoundListeners.AdminName).Address;
        if (!AdminHosts.Allows(context.Request.Host.Host, context.Connection.LocalIpAddress, bound, state.Current.Options.Admin.AllowedHosts))
        {
            // The Host is not echoed: this text is all a rebinding page would get.
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return WriteText(context, StatusCodes.Status421MisdirectedRequest,
                "misdirected: this admin listener answers its own address and localhost; add other names to Gateway:Admin:AllowedHosts");
        }

        return context.Request.Path.Value switch
        {
            "/healthz" => WriteText(context, StatusCodes.Status200OK, "ok"),
            "/readyz" => Readiness(context, state),
            "/config" => ConfigEndpoint.WriteAsync(context, state, services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>()),
            "/metrics" => context.RequestServices.GetRequiredService<PrometheusExporter>().WriteAsync(context),
            "/api/revocation" => RevocationEndpoint.WriteAsync(context, state, context.RequestServices.GetRequiredService<FetchedCrls>()),
            "/" or "/status.js" or "/status.css" => StatusPage.WriteAsync(context, context.Request.Path.Value[1..]),
            "/api/partners" => PartnersEndpoint.WriteAsync(context, state, services.GetRequiredService<PartnerRegistry>(), services.GetRequiredService<TimeProvider>()),
            "/api/refusals" => RefusalsEndpoint.WriteAsync(context, services.GetRequiredService<RecentRefusals>()),
            "/api/expiry" => ExpiryEndpoint.WriteAsync(context, state, services.GetRequiredService<FetchedCrls>(), services.GetRequiredService<PartnerRegistry>(),
                services.GetRequiredService<TimeProvider>()),
            "/api/routes" => RoutesEndpoint.WriteAsync(context, state, services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>(),
                services.GetRequiredService<RouteTraffic>(), services.GetRequiredService<TimeProvider>()),
            _ => ProblemResponse.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", null,
                "Admin endpoints: / (status page), /healthz, /readyz, /metrics, /config, /api/partners, /api/refusals, /api/expiry, /api/routes, /api/revocation."),
        };
    }

    /// <summary>Ready once a configuration is loaded and the listeners are bound, and while the reload watcher works:
    /// a gateway that can no longer follow its files (a new CRL) says so rather than serve on unnoticed.</summary>
    private static Task Readiness(HttpContext context, GatewayState state)
    {
        if (!state.IsLoaded || !state.ListenersReady)
        {
            return WriteText(context, StatusCodes.Status503ServiceUnavailable, "not ready");
        }

        return state.WatcherFault is { } fault
            ? WriteText(context, StatusCodes.Status503ServiceUnavailable, $"not ready: the configuration watcher is failing since {fault.Since:O}: {fault.Reason}")
            : WriteText(context, StatusCodes.Status200OK, "ready");
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n");
    }
}
