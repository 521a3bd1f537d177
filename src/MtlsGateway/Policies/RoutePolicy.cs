using Yarp.ReverseProxy.Configuration;

namespace MtlsGateway.Policies;

/// <summary>
/// How a route carries its gateway policy through YARP. The loader takes each route's <c>AuthorizationPolicy</c> (a
/// gateway policy name) out of YARP's hands into the route's metadata, resolved (no "Default" alias left) and with the
/// policy's revision, where <see cref="Proxying.PolicyEnforcementMiddleware"/> reads it. YARP would otherwise turn it into
/// ASP.NET Core authorization metadata and the authorization middleware would evaluate it a second time, at a cost,
/// on every request.
/// </summary>
/// <remarks>The revision changes whenever the policy's configuration does, so a reload that changes a policy changes
/// every route under it too: YARP rebuilds those routes, and a request routed by the old route is admitted by the
/// policy of the same configuration (<see cref="Runtime.GatewayState.FindPolicy"/>), never by the next one.</remarks>
internal static class RoutePolicy
{
    /// <summary>The metadata keys; whatever a route's own metadata says under them is replaced.</summary>
    internal const string NameKey = "MtlsGateway.Policy";

    internal const string RevisionKey = "MtlsGateway.PolicyRevision";

    /// <summary>The policy a route is admitted by.</summary>
    public static string? NameOf(RouteConfig? route) => route?.Metadata?.GetValueOrDefault(NameKey);

    /// <summary>The revision of that policy the route was compiled with.</summary>
    public static string? RevisionOf(RouteConfig? route) => route?.Metadata?.GetValueOrDefault(RevisionKey);

    /// <summary>The route as YARP gets it: no authorization policy, the gateway policy and its revision in the metadata.</summary>
    public static RouteConfig Attach(RouteConfig route, GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policy);
        var metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            [NameKey] = policy.Name,
            [RevisionKey] = policy.Revision,
        };
        return route with { AuthorizationPolicy = null, Metadata = metadata };
    }
}
