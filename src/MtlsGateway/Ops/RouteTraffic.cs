using System.Collections.Concurrent;

namespace MtlsGateway.Ops;

/// <summary>The migration report's counts, per Permissive route id (a route renamed on reload starts anew).</summary>
public sealed class RouteTraffic
{
    private readonly ConcurrentDictionary<string, RouteUsage> _routes = new(StringComparer.Ordinal);

    public RouteUsage? Of(string routeId) => _routes.GetValueOrDefault(routeId);

    internal RouteUsage For(string routeId) => _routes.TryGetValue(routeId, out var usage) ? usage : _routes.GetOrAdd(routeId, _ => new RouteUsage());
}
