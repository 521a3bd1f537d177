using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Configuration;

/// <summary>
/// Follows the config file and every file it names. A change is applied once the files have stopped changing
/// (two equal fingerprints in a row: a half-written file is never loaded); the whole configuration is then
/// loaded and validated, and either swapped in (gateway snapshot first, then YARP's routes and clusters through
/// <see cref="SnapshotConfigurationProvider"/>) or refused with every error while the last good one stays.
/// Open connections keep working: they finish on the snapshot they started with, and every new request is
/// checked against the new one.
/// </summary>
public sealed class ConfigReloadService(
    GatewaySource source,
    GatewayState state,
    SnapshotConfigurationProvider appConfiguration,
    TimeProvider time,
    ILogger<ConfigReloadService> logger) : BackgroundService
{
    private string _applied = string.Empty;
    private string? _pending;

    /// <summary>Raised after each reload attempt, successful or not (metrics subscribe).</summary>
    public event Action<bool>? Reloaded;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _applied = Fingerprint(state.Current.Options);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = state.Current.Options.Reload;
        if (!options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Poll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at the files; loads when a change has settled.</summary>
    internal void Poll()
    {
        var current = Fingerprint(state.Current.Options);
        if (current == _applied)
        {
            _pending = null;
            return;
        }

        if (current != _pending)
        {
            _pending = current; // changed since the last look: wait until it settles
            return;
        }

        _pending = null;
        _applied = current;
        Reload();
    }

    private void Reload()
    {
        var previous = state.Current;
        var configuration = GatewayConfigurationSource.TryBuild(source.ConfigPath, source.Overrides, out var readError);
        var result = configuration is null
            ? new ConfigLoadResult(null, [readError!])
            : GatewayConfigLoader.Load(configuration, source.BaseDirectory, previous.Version + 1, time);
        if (!result.IsValid)
        {
            state.RecordFailedReload(result.Errors, time.GetUtcNow());
            logger.ConfigReloadFailed(result.Errors.Count, previous.Version, result.Errors.Select(e => e.ToString()).ToList());
            Reloaded?.Invoke(false);
            return;
        }

        var snapshot = result.Snapshot!;
        if (!snapshot.Listeners.SequenceEqual(previous.Listeners) || snapshot.Admin != previous.Admin)
        {
            logger.ListenerChangeNeedsRestart();
        }

        state.Apply(snapshot);
        appConfiguration.Replace(configuration!);
        logger.ConfigReloaded(snapshot.Version, snapshot.Hash, previous.Hash);
        Reloaded?.Invoke(true);
    }

    private string Fingerprint(GatewayOptions options) =>
        WatchedFiles.Fingerprint(source.ConfigPath, GatewayConfigLoader.ReferencedFiles(options, source.BaseDirectory));
}
