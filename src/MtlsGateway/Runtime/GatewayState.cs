using MtlsGateway.Configuration;

namespace MtlsGateway.Runtime;

/// <summary>
/// Holds the configuration in force. Readers take <see cref="Current"/> once and keep that snapshot for the
/// work at hand; a reload replaces it atomically.
/// </summary>
public sealed class GatewayState
{
    private volatile GatewaySnapshot? _current;
    private volatile GatewaySnapshot? _previous;
    private volatile WatcherFault? _watcherFault;

    public GatewaySnapshot Current => _current ?? throw new InvalidOperationException("No configuration is loaded yet.");

    public bool IsLoaded => _current is not null;

    /// <summary>Errors of the last reload that was refused (the previous configuration stayed in force).</summary>
    public IReadOnlyList<ConfigError> LastReloadErrors { get; private set; } = [];

    public DateTimeOffset? LastReloadFailedAt { get; private set; }

    /// <summary>Set while the reload watcher is failing (see <see cref="Loading.ConfigReloadService"/>); null when it works.</summary>
    public WatcherFault? WatcherFault { get => _watcherFault; set => _watcherFault = value; }

    /// <summary>Set once the listeners are bound; cleared when shutdown begins.</summary>
    public bool ListenersReady { get; set; }

    /// <summary>Puts <paramref name="snapshot"/> in force; the one it replaces still answers for the routes YARP has
    /// not replaced yet (<see cref="FindPolicy"/>).</summary>
    public void Apply(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _previous = _current;
        _current = snapshot;
        LastReloadErrors = [];
    }

    /// <summary>Puts <paramref name="snapshot"/> back after YARP refused the one applied since.</summary>
    public void Revert(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = snapshot;
        _previous = null;
    }

    /// <summary>
    /// The policy a route was compiled with: by name in the snapshot in force when its revision matches, else in the
    /// one before (a request routed by a route the reload under way is about to replace). Null when neither has it,
    /// which refuses the request: a route and a policy from two different configurations never meet.
    /// </summary>
    public Policies.GatewayPolicy? FindPolicy(string? name, string? revision)
    {
        if (name is null)
        {
            return null;
        }

        var policy = Current.Policies.GetValueOrDefault(name);
        return policy is not null && policy.Revision == revision
            ? policy
            : _previous?.Policies.GetValueOrDefault(name) is { } earlier && earlier.Revision == revision ? earlier : null;
    }

    public void RecordFailedReload(IReadOnlyList<ConfigError> errors, DateTimeOffset at)
    {
        LastReloadErrors = errors;
        LastReloadFailedAt = at;
    }
}
