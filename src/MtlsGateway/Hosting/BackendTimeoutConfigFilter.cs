using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MtlsGateway.Hosting;

/// <summary>
/// Gives every YARP cluster without its own <c>HttpRequest:ActivityTimeout</c> the gateway's
/// <c>Gateway:Limits:BackendActivityTimeout</c>, so a silent backend answers the client 504 after a time ops chose
/// rather than YARP's built-in 100 s. A cluster's own setting always wins.
/// </summary>
internal sealed class BackendTimeoutConfigFilter(TimeSpan activityTimeout) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.HttpRequest?.ActivityTimeout is not null)
        {
            return ValueTask.FromResult(cluster);
        }

        var request = (cluster.HttpRequest ?? new ForwarderRequestConfig()) with { ActivityTimeout = activityTimeout };
        return ValueTask.FromResult(cluster with { HttpRequest = request });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
