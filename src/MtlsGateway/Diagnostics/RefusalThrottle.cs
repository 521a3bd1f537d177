using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Keeps a flood of refusals from flooding the disk (GATEWAY.md, "Logs"). The first refusal from a source is
/// logged in full; repeats are only counted, and every <c>Gateway:Logging:RefusalSummaryInterval</c> one
/// <c>RefusalsSummarised</c> event per source says how many there were and when. A source is a certificate (or, without
/// one, the remote IP); a remote IP also bounds how many new certificates it gets logged in full per interval, after
/// which its refusals are summarised by the IP. The number of tracked sources is capped: past the cap, refusals from
/// new sources share one overflow summary instead of growing the table, and what a source keeps is capped
/// (<see cref="RefusalFieldCaps"/>), so the table's memory is bounded too.
/// Metrics count every refusal whatever this decides. One instance per application, driven by its TimeProvider;
/// <paramref name="logging"/> gives the <c>Gateway:Logging</c> options in force (a reload changes them).
/// </summary>
public sealed class RefusalThrottle(Func<GatewayLoggingOptions> logging, TimeProvider time, ILogger<RefusalThrottle> logger, RecentRefusals recent) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<RefusalSource, RefusalTally> _tallies = [];
    private RefusalTally? _overflow;
    private ITimer? _timer;
    private TimeSpan _interval;

    /// <summary>Sources tracked now (certificates, remote IPs): at most <c>RefusalSummaryMaxSources</c>.</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _tallies.Count;
            }
        }
    }

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

            // A certificate not seen yet: news only while its remote IP has certificates to spare this interval, so a
            // client minting a certificate per connection gets a few full events, then one summary by its IP.
            RefusalTally? byIp = null;
            if (details.CertSha256 is not null)
            {
                var ipSource = source.ByRemoteIp(details);
                if (_tallies.TryGetValue(ipSource, out byIp) && byIp.Certificates >= CertificatesPerIp)
                {
                    byIp.Add(now);
                    return false;
                }

                if (byIp is null && _tallies.Count < Options.RefusalSummaryMaxSources)
                {
                    byIp = new RefusalTally(stage, details);
                    _tallies.Add(ipSource, byIp);
                }
            }

            if (_tallies.Count >= Options.RefusalSummaryMaxSources)
            {
                (_overflow ??= new RefusalTally(stage, details)).Add(now);
                return false;
            }

            if (byIp is not null)
            {
                byIp.Certificates++;
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

                summaries.Add(new RefusalSummary(tally.Stage, source.AnyCertificate ? ByRemoteIp(tally) : tally.First, tally.Count, tally.FirstSeen, tally.LastSeen));
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
            recent.Summarised(summary);
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

    private GatewayLoggingOptions Options => logging();

    private int CertificatesPerIp => Math.Max(1, Options.RefusalSummaryCertificatesPerIp);

    /// <summary>A per-IP summary stands for many certificates: the first one's identity would name none of them.</summary>
    private RefusalDetails ByRemoteIp(RefusalTally tally) => tally.First with
    {
        RemotePort = 0,
        CertSubject = null,
        CertIssuer = null,
        CertSerial = null,
        CertSha256 = null,
        CertNotBefore = null,
        CertNotAfter = null,
        CertDns = null,
        CertUris = null,
        ConnectionId = null,
        TraceId = null,
        Hint = $"refusals from {tally.First.RemoteIp} with further certificates, each new, beyond the {CertificatesPerIp} logged in full per interval (Gateway:Logging:RefusalSummaryCertificatesPerIp); the first was: {tally.First.Hint}",
    };

    private TimeSpan Interval => Options.RefusalSummaryInterval > TimeSpan.Zero
        ? Options.RefusalSummaryInterval
        : GatewayLoggingOptions.DefaultRefusalSummaryInterval;
}
