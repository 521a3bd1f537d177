using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Proxying;
using MtlsGateway.Runtime;

namespace MtlsGateway.Loading;

/// <summary>
/// Follows the config file and every file it names. A change is applied once the files have stopped changing
/// (two equal fingerprints in a row: a half-written file is never loaded), or at once on SIGHUP; the whole configuration is then
/// loaded and validated (YARP's own validation included), and either swapped in (the gateway snapshot, then YARP's routes
/// and clusters compiled on it, through <see cref="GatewayProxyConfigProvider"/>; <c>ConfigReloaded</c> once YARP has
/// applied them) or refused with every error while the last good one stays.
/// Open connections keep working: they finish on the snapshot they started with, and every new request is
/// checked against the new one.
/// </summary>
public sealed class ConfigReloadService(
    GatewaySource source,
    GatewayState state,
    GatewayProxyConfigProvider proxyConfig,
    RateLimiting.GatewayRateLimits rateLimits,
    TimeProvider time,
    ILogger<ConfigReloadService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signalled = new(0, 1);
    private string _applied = string.Empty;
    private string? _pending;
    private bool _settleNow; // read and cleared with Interlocked.Exchange
    private PosixSignalRegistration? _sighup;

    /// <summary>Raised after each reload attempt, successful or not (metrics subscribe).</summary>
    public event Action<bool>? Reloaded;

    /// <summary>Raised each time a look at the files fails (throws, or has not finished in time; metrics subscribe).</summary>
    public event Action? WatchFailed;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _applied = Fingerprint(state.Current.Options);
        // SIGHUP's default is to end the process: here it means "look at the files now" (systemd's ExecReload).
        _sighup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            LookNow();
        });
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _sighup?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _sighup?.Dispose();
        _signalled.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Look at the files at once and apply a change without waiting for it to settle: the operator says the files are
    /// ready (SIGHUP). Works with <c>Gateway:Reload:Enabled</c> false too.
    /// </summary>
    internal void LookNow()
    {
        logger.ConfigLookRequested();
        Volatile.Write(ref _settleNow, true);
        try
        {
            _signalled.Release();
        }
        catch (SemaphoreFullException)
        {
            // a look is already requested
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    /// <summary>How long a look may take before the watcher counts as failing: ten poll intervals, at least 5 s.</summary>
    internal static TimeSpan StuckAfter(TimeSpan pollInterval) =>
        pollInterval * 10 > TimeSpan.FromSeconds(5) ? pollInterval * 10 : TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = state.Current.Options.Reload;
        using var timer = options.Enabled ? new PeriodicTimer(options.PollInterval, time) : null;
        try
        {
            // The pending wait of each source survives a wake-up by the other (a PeriodicTimer takes one waiter at a time).
            var tick = timer is null ? new TaskCompletionSource<bool>().Task : timer.WaitForNextTickAsync(stoppingToken).AsTask();
            var signal = _signalled.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var woke = await Task.WhenAny(tick, signal);
                await woke; // a cancelled wait ends the loop here
                if (woke == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    tick = timer!.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    signal = _signalled.WaitAsync(stoppingToken);
                }

                await LookAsync(StuckAfter(options.PollInterval), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One look, on its own thread-pool item: the loop outlives a look that throws or hangs (a file system that stops
    /// answering), says so through <see cref="GatewayState.WatcherFault"/>, and starts no second look while one is
    /// still running.
    /// </summary>
    private async Task LookAsync(TimeSpan stuckAfter, CancellationToken stoppingToken)
    {
        var look = Task.Run(PollSafely, CancellationToken.None);
        using var stuck = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var deadline = Task.Delay(stuckAfter, time, stuck.Token);
        if (await Task.WhenAny(look, deadline) != look && !stoppingToken.IsCancellationRequested)
        {
            Fail($"a look at the files has not finished after {stuckAfter.TotalSeconds:0.#} s; a file or mount the configuration names does not answer", exception: null);
        }

        await stuck.CancelAsync();
        await look.WaitAsync(stoppingToken);
    }

    /// <summary><see cref="Poll"/>, turning any exception into a watcher fault: the watcher never dies.</summary>
    private void PollSafely()
    {
        bool settled;
        try
        {
            settled = Poll();
        }
        catch (Exception ex)
        {
            Fail($"{ex.GetType().Name}: {ex.Message}", ex);
            return;
        }

        // Recovered once the files are in step with what is loaded, not merely on a look that found them changing.
        if (settled && state.WatcherFault is { } fault)
        {
            state.WatcherFault = null;
            logger.ConfigWatchRecovered(fault.Since);
        }
    }

    private void Fail(string reason, Exception? exception)
    {
        if (state.WatcherFault is null)
        {
            logger.ConfigWatchFailed(reason, exception);
        }

        state.WatcherFault = new WatcherFault(reason, state.WatcherFault?.Since ?? time.GetUtcNow());
        WatchFailed?.Invoke();
    }

    /// <summary>One look at the files; loads when a change has settled. False while a change is still settling.</summary>
    internal bool Poll()
    {
        // Taken before the files are read: a SIGHUP that arrives during this look sets it again for the next look (and
        // releases the semaphore), instead of being cleared by a look that read the files before the change.
        var settleNow = Interlocked.Exchange(ref _settleNow, false);
        var current = Fingerprint(state.Current.Options);
        if (current == _applied)
        {
            _pending = null;
            return true;
        }

        if (current != _pending && !settleNow)
        {
            _pending = current; // changed since the last look: wait until it settles
            return false;
        }

        _pending = null;
        Reload();
        _applied = current; // after: a reload that threw is tried again
        return true;
    }

    private void Reload()
    {
        var previous = state.Current;
        var result = GatewayConfigLoader.LoadFile(source, previous.Version + 1, time);
        if (result.IsValid && rateLimits.Unregistered(result.Snapshot!) is { Count: > 0 } unregistered)
        {
            result = new ConfigLoadResult(null, unregistered);
        }

        if (!result.IsValid)
        {
            Refuse(previous, result.Errors);
            return;
        }

        var snapshot = result.Snapshot!;
        if (!snapshot.Listeners.SequenceEqual(previous.Listeners) || snapshot.Admin != previous.Admin)
        {
            logger.ListenerChangeNeedsRestart();
        }

        // The gateway's half first: until YARP has replaced a route, its requests still find the policy they were
        // routed with in the previous snapshot (GatewayState.FindPolicy), so no request meets a route and a policy of
        // two configurations. Validated above, YARP refusing here is unexpected; the previous snapshot then goes back.
        state.Apply(snapshot);
        if (WaitForProxy(snapshot) is { } refused)
        {
            state.Revert(previous);
            Refuse(previous, refused);
            return;
        }

        foreach (var exposure in result.KeyFileExposures)
        {
            logger.KeyFileReadable(exposure.KeyFile, exposure.ConfigPath, exposure.Mode);
        }

        logger.ConfigReloaded(snapshot.Version, snapshot.Hash, previous.Hash);
        Identity.TrustStoreWarnings.Log(logger, snapshot.TrustStores.Values, time.GetUtcNow());
        Reloaded?.Invoke(true);
    }

    /// <summary>Hands YARP the snapshot's routes and clusters; null once it applied them, else why not.</summary>
    private List<ConfigError>? WaitForProxy(GatewaySnapshot snapshot)
    {
        try
        {
            // On the look's own thread (see LookAsync): nothing else waits for it.
            return proxyConfig.ApplyAsync(snapshot).WaitAsync(ProxyApplyTimeout, time).GetAwaiter().GetResult() is { } exception
                ? ProxyConfigValidation.FromApplyFailure(exception)
                : null;
        }
        catch (TimeoutException)
        {
            return [new ConfigError(ProxyConfigReader.SectionName, $"YARP did not apply the routes and clusters within {ProxyApplyTimeout.TotalSeconds:0} s")];
        }
    }

    private void Refuse(GatewaySnapshot inForce, IReadOnlyList<ConfigError> errors)
    {
        state.RecordFailedReload(errors, time.GetUtcNow());
        logger.ConfigReloadFailed(errors.Count, inForce.Version, errors.Select(e => e.ToString()).ToList());
        Reloaded?.Invoke(false);
    }

    private static readonly TimeSpan ProxyApplyTimeout = TimeSpan.FromSeconds(30);

    private string Fingerprint(GatewayOptions options) =>
        WatchedFiles.Fingerprint(source.ConfigPath, GatewayConfigLoader.ReferencedFiles(options, source.BaseDirectory));
}
