using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.Ops;

/// <summary>
/// Wraps every request on the partner listeners: counts it by route and status (refused and unrouted ones too),
/// and writes one compact <c>RequestCompleted</c> line for each admitted request unless
/// <c>Gateway:Logging:Requests</c> is false. Refusals are not logged here: they have their own event.
/// </summary>
public sealed class RequestTelemetryMiddleware(
    RequestDelegate next, GatewayMetrics metrics, GatewayState state, TimeProvider time, RequestLog log, Ops.ConsoleFeed console)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            var elapsed = time.GetElapsedTime(started);
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
            metrics.RequestCompleted(route, status, elapsed);
            if (Activity.Current is { IsAllDataRequested: true } span)
            {
                Tag(span, route, context);
            }

            if (route is not null
                && context.Features.Get<RequestRefusal>() is null
                && context.Features.Get<ClientIdentityFeature>() is { } identity)
            {
                // The status page is fed where the request log is, so the two never disagree.
                console.Admitted(context, route, identity);
                if (state.Current.Options.Logging.Requests && log.IsEnabled)
                {
                    log.Completed(context.Request.Method, context.Request.Path.Value ?? "/", status, elapsed,
                        route, identity.Policy.Name, identity.Partner, identity.Verified?.Identity.Sha256,
                        context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
                }
            }
        }
    }

    /// <summary>A sampled request's span (OpenTelemetry traces on) carries what the gateway decided: never more than
    /// the logs carry about the certificate (its SHA-256 only).</summary>
    private static void Tag(Activity span, string? route, HttpContext context)
    {
        span.SetTag("mtls_gateway.route", route);
        if (context.Features.Get<ClientIdentityFeature>() is { } identity)
        {
            span.SetTag("mtls_gateway.policy", identity.Policy.Name);
            span.SetTag("mtls_gateway.partner", identity.Partner);
            span.SetTag("mtls_gateway.client_cert.sha256", identity.Verified?.Identity.Sha256);
        }

        if (context.Features.Get<RequestRefusal>() is { } refusal)
        {
            span.SetTag("mtls_gateway.policy", refusal.Policy);
            span.SetTag("mtls_gateway.reason", refusal.Reason.ToString());
        }
    }
}
