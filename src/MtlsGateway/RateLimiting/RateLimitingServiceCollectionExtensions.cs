using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace MtlsGateway.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>The gateway's limits, and each <c>Gateway:RateLimits</c> name as an ASP.NET Core rate limiter policy:
    /// YARP checks a route's <c>RateLimiterPolicy</c> against those names (RateLimiterOptions). The policies never
    /// partition anything themselves: <see cref="RateLimitMiddleware"/> applies the limits.</summary>
    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<GatewayRateLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<GatewayRateLimits>((options, limits) =>
        {
            foreach (var name in limits.Registered)
            {
                options.AddPolicy(name, _ => RateLimitPartition.GetNoLimiter(name));
            }
        });
        return services;
    }
}
