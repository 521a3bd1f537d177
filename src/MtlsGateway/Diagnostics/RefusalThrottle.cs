using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Keeps a flood of refusals from flooding the disk (GATEWAY.md, "Logs"). The first refusal from a source is
/// logged in full; repeats are only counted, and every <c>Gateway:Logging:RefusalSummaryInterval</c> one
/// <c>RefusalsSummarised</c> event per source says how many there were and when. The number of tracked sources
/// is capped: past the cap, refusals from new sources share one overflow summary instead of growing the table.
/// Metrics count every refusal whatever this decides. One instance per application, driven by its TimeProvider.
/// </summary>
public sealed class RefusalThrottle(GatewayState state, TimeProvider time, ILogger<RefusalThrottle> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<RefusalSource, RefusalTally> _tallies = [];
    private RefusalTally? _overflow;
    private ITimer? _timer;
    private TimeSpan _interval;

    /// <summary>Records a refusal; true when the caller should log it in full (the first from its source).</summary>
    public bool ShouldLog(RefusalStage stage, RefusalDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var source = RefusalSource.Of(stage, details);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_tallies.TryGetValue(source, out var tally))
            {
                tally.Add(now);
                return false;
            }

            if (_tallies.Count >= Options.RefusalSummaryMaxSources)
            {
                (_overflow ??= new RefusalTally(stage, details)).Add(now);
                return false;
            }

            _tallies.Add(source, new RefusalTally(stage, details));
            return true;
        }
    }

    /// <summary>Writes one summary per source with repeats since the last flush, and forgets sources that had none.</summary>
    public void Flush()
    {
        var summaries = new List<RefusalSummary>();
        lock (_lock)
        {
            var idle = new List<RefusalSource>();
            foreach (var (source, tally) in _tallies)
            {
                if (tally.Count == 0)
                {
                    // Quiet for a whole interval: the next refusal from this source is news again and is logged in full.
                    idle.Add(source);
                    continue;
                }

                summaries.Add(new RefusalSummary(tally.Stage, tally.First, tally.Count, tally.FirstSeen, tally.LastSeen));
                tally.Count = 0;
            }

            foreach (var source in idle)
            {
                _tallies.Remove(source);
            }

            if (_overflow is { } overflow)
            {
                var details = overflow.First with
                {
                    Hint = $"refusals from more sources than the {Options.RefusalSummaryMaxSources} tracked per interval (Gateway:Logging:RefusalSummaryMaxSources), all reasons together; the first was: {overflow.First.Hint}. mtls_gateway_refusals_total has them by reason and policy",
                };
                summaries.Add(new RefusalSummary(overflow.Stage, details, overflow.Count, overflow.FirstSeen, overflow.LastSeen));
                _overflow = null;
            }
        }

        // Logged outside the lock: a slow sink must not hold up refusals being counted.
        foreach (var summary in summaries)
        {
            logger.RefusalsSummarised(summary);
        }

        var interval = Interval;
        if (_timer is { } timer && interval != _interval)
        {
            _interval = interval;
            timer.Change(interval, interval);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _interval = Interval;
        _timer = time.CreateTimer(_ => Flush(), null, _interval, _interval);
        return Task.CompletedTask;
    }

    /// <summary>Runs after the server stopped accepting: the last repeats are written, not lost.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        Flush();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private GatewayLoggingOptions Options => state.Current.Options.Logging;

    private TimeSpan Interval => Options.RefusalSummaryInterval > TimeSpan.Zero
        ? Options.RefusalSummaryInterval
        : GatewayLoggingOptions.DefaultRefusalSummaryInterval;
}
