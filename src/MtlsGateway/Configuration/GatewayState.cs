namespace MtlsGateway.Configuration;

/// <summary>
/// Holds the configuration in force. Readers take <see cref="Current"/> once and keep that snapshot for the
/// work at hand; a reload replaces it atomically.
/// </summary>
public sealed class GatewayState
{
    private volatile GatewaySnapshot? _current;
    private volatile WatcherFault? _watcherFault;

    public GatewaySnapshot Current => _current ?? throw new InvalidOperationException("No configuration is loaded yet.");

    public bool IsLoaded => _current is not null;

    /// <summary>Errors of the last reload that was refused (the previous configuration stayed in force).</summary>
    public IReadOnlyList<ConfigError> LastReloadErrors { get; private set; } = [];

    public DateTimeOffset? LastReloadFailedAt { get; private set; }

    /// <summary>Set while the reload watcher is failing (see <see cref="ConfigReloadService"/>); null when it works.</summary>
    public WatcherFault? WatcherFault { get => _watcherFault; set => _watcherFault = value; }

    /// <summary>Set once the listeners are bound; cleared when shutdown begins.</summary>
    public bool ListenersReady { get; set; }

    public void Apply(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = snapshot;
        LastReloadErrors = [];
    }

    public void RecordFailedReload(IReadOnlyList<ConfigError> errors, DateTimeOffset at)
    {
        LastReloadErrors = errors;
        LastReloadFailedAt = at;
    }
}
