using Microsoft.AspNetCore.Builder;

namespace MtlsGateway.RateLimiting;

public static class RateLimitingApplicationBuilderExtensions
{
    /// <summary>The routes' rate limits; after admission (a limit partitions by the identity it established).</summary>
    public static IApplicationBuilder UseGatewayRateLimits(this IApplicationBuilder app) => app.UseMiddleware<RateLimitMiddleware>();
}
