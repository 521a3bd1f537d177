using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace MtlsGateway.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>ASP.NET Core's rate limiter with one policy per <c>Gateway:RateLimits</c> name, so that YARP's route
    /// <c>RateLimiterPolicy</c> (endpoint metadata <see cref="EnableRateLimitingAttribute"/>) selects it.</summary>
    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<GatewayRateLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<GatewayRateLimits>((options, limits) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = limits.OnRejectedAsync;
            foreach (var name in limits.Registered)
            {
                options.AddPolicy(name, context => limits.Partition(name, context));
            }
        });
        return services;
    }
}
