using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Policies;

namespace MtlsGateway.Proxying;

/// <summary>
/// YARP as the gateway runs it. The configuration loader validates routes and clusters with a service provider built
/// by this same method, so what YARP would refuse at start or reload is refused by <c>validate</c> first: a
/// registration that YARP's validation depends on (a transform provider, a rate limiter, timeout or CORS policy)
/// belongs here, not in <see cref="Hosting.GatewayApplication"/>.
/// </summary>
internal static class ReverseProxyServiceCollectionExtensions
{
    public static IReverseProxyBuilder AddGatewayReverseProxy(this IServiceCollection services) =>
        services.AddReverseProxy().AddTransforms<IdentityHeadersTransformProvider>();
}
