namespace MtlsGateway.Configuration;

/// <summary>What the gateway needs to know of a YARP route: which hosts it serves and under which policy.</summary>
public sealed record RouteSummary(string RouteId, IReadOnlyList<HostPattern> Hosts, string PolicyName)
{
    /// <summary>Whether a request for <paramref name="host"/> could match this route (a route with no hosts matches any).</summary>
    public bool MayServe(string? host) => Hosts.Count == 0 || (host is not null && Hosts.Any(h => h.Matches(host)));
}
