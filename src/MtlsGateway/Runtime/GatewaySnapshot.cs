using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Runtime;

/// <summary>
/// One loaded, validated configuration. Immutable: a reload builds a new snapshot and swaps it in whole,
/// so a connection or request always sees one consistent configuration without locks.
/// </summary>
public sealed class GatewaySnapshot
{
    public required long Version { get; init; }

    /// <summary>SHA-256 over the configuration values (but the listen URLs: <see cref="InstanceSpecificKeys"/>) and the
    /// content of every file they name.</summary>
    public required string Hash { get; init; }

    public required DateTimeOffset LoadedAt { get; init; }

    public required IReadOnlyList<ListenerEndpoint> Listeners { get; init; }

    public required ListenerEndpoint? Admin { get; init; }

    public required IReadOnlyList<ServerCertificate> ServerCertificates { get; init; }

    public required IReadOnlyDictionary<string, TrustStore> TrustStores { get; init; }

    public required IReadOnlyDictionary<string, GatewayPolicy> Policies { get; init; }

    public required GatewayPolicy DefaultPolicy { get; init; }

    public required IReadOnlyList<RouteSummary> Routes { get; init; }

    /// <summary>YARP's routes as the loader compiled them (policy in the metadata, see <see cref="RoutePolicy"/>): all
    /// YARP serves, through <see cref="Proxying.GatewayProxyConfigProvider"/>.</summary>
    public IReadOnlyList<Yarp.ReverseProxy.Configuration.RouteConfig> ProxyRoutes { get; init; } = [];

    /// <summary>YARP's clusters as the loader compiled them (each with a backend activity timeout).</summary>
    public IReadOnlyList<Yarp.ReverseProxy.Configuration.ClusterConfig> ProxyClusters { get; init; } = [];

    public required IReadOnlyList<PassthroughRoute> Passthrough { get; init; }

    /// <summary>TLS to backends by YARP ClusterId (case-insensitive): client certificate and server trust store.</summary>
    internal IReadOnlyDictionary<string, UpstreamTls> Upstreams { get; init; } =
        new Dictionary<string, UpstreamTls>(StringComparer.OrdinalIgnoreCase);

    public required GatewayOptions Options { get; init; }
}
