using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace MtlsGateway.RateLimiting;

/// <summary>
/// Applies a route's <c>RateLimiterPolicy</c> (YARP puts it on the endpoint as <see cref="EnableRateLimitingAttribute"/>;
/// <c>Disable</c> as <see cref="DisableRateLimitingAttribute"/>) with <see cref="GatewayRateLimits"/>. It takes the place
/// of ASP.NET Core's <c>UseRateLimiter</c>, which cost keep-alive requests 3 % (docs/performance.md): an async frame
/// around the rest of the pipeline, a boxed key and two closures per request. A token bucket's permit is not held
/// while the request runs, so this returns the next middleware's task itself.
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, GatewayRateLimits limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is not { } name
            || metadata.GetMetadata<DisableRateLimitingAttribute>() is not null
            || limits.Acquire(name, context) is not { } lease)
        {
            return next(context);
        }

        if (!lease.IsAcquired)
        {
            return limits.RejectAsync(context, name, lease);
        }

        lease.Dispose();
        return next(context);
    }
}
