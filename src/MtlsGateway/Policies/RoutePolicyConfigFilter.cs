using Yarp.ReverseProxy.Configuration;

namespace MtlsGateway.Policies;

/// <summary>
/// Takes each route's <c>AuthorizationPolicy</c> (a gateway policy name, validated by the configuration loader) out
/// of YARP's hands into the route's metadata, where <see cref="PolicyEnforcementMiddleware"/> reads it. YARP would
/// otherwise turn it into ASP.NET Core authorization metadata and the authorization middleware would evaluate it
/// a second time, at a cost, on every request.
/// </summary>
internal sealed class RoutePolicyConfigFilter : IProxyConfigFilter
{
    /// <summary>The metadata key; whatever a route's own metadata says under it is replaced.</summary>
    internal const string MetadataKey = "MtlsGateway.Policy";

    /// <summary>The policy a route named (null: the default policy).</summary>
    public static string? PolicyOf(RouteConfig? route) => route?.Metadata?.GetValueOrDefault(MetadataKey);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        var metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        metadata.Remove(MetadataKey);
        if (!string.IsNullOrEmpty(route.AuthorizationPolicy))
        {
            metadata[MetadataKey] = route.AuthorizationPolicy;
        }

        return ValueTask.FromResult(route with { AuthorizationPolicy = null, Metadata = metadata });
    }

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);
}
