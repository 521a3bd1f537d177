using Microsoft.Extensions.Primitives;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Configuration;

namespace MtlsGateway.Proxying;

/// <summary>
/// YARP's only source of routes and clusters: those compiled onto the snapshot in force, nothing read from
/// <c>IConfiguration</c> behind the loader's back. <see cref="ApplyAsync"/> hands YARP a new snapshot's and completes
/// once YARP has applied it, or has refused it (it then keeps serving the previous one).
/// </summary>
public sealed class GatewayProxyConfigProvider : IProxyConfigProvider, IConfigChangeListener
{
    private volatile SnapshotProxyConfig _config;

    public GatewayProxyConfigProvider(GatewaySnapshot initial) => _config = new SnapshotProxyConfig(initial);

    public IProxyConfig GetConfig() => _config;

    /// <summary>Signals YARP; the task's result is null once YARP applied the snapshot's routes, else why it refused them.</summary>
    public Task<Exception?> ApplyAsync(GatewaySnapshot snapshot)
    {
        var next = new SnapshotProxyConfig(snapshot);
        var previous = Interlocked.Exchange(ref _config, next);
        previous.Signal();
        return next.Applied;
    }

    void IConfigChangeListener.ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs) => Complete(proxyConfigs, exception: null);

    void IConfigChangeListener.ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => Complete(proxyConfigs, exception);

    void IConfigChangeListener.ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    // GetConfig never throws, so YARP has nothing to report here.
    void IConfigChangeListener.ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }

    private static void Complete(IReadOnlyList<IProxyConfig> proxyConfigs, Exception? exception)
    {
        foreach (var config in proxyConfigs.OfType<SnapshotProxyConfig>())
        {
            config.Complete(exception);
        }
    }

    // The token source is never disposed: YARP may still hold the token of a configuration it has replaced, and a
    // source without a timer holds nothing a finalizer would need.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "see above")]
    private sealed class SnapshotProxyConfig : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();
        private readonly TaskCompletionSource<Exception?> _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly GatewaySnapshot _snapshot;

        public SnapshotProxyConfig(GatewaySnapshot snapshot)
        {
            _snapshot = snapshot;
            RevisionId = snapshot.Hash;
            ChangeToken = new CancellationChangeToken(_changed.Token);
        }

        public string RevisionId { get; }

        public IReadOnlyList<RouteConfig> Routes => _snapshot.ProxyRoutes;

        public IReadOnlyList<ClusterConfig> Clusters => _snapshot.ProxyClusters;

        public IChangeToken ChangeToken { get; }

        public Task<Exception?> Applied => _applied.Task;

        public void Signal() => _changed.Cancel();

        public void Complete(Exception? exception) => _applied.TrySetResult(exception);
    }
}
