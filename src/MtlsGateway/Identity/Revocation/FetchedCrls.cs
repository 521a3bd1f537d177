using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// <c>Revocation: Online</c>: the CRLs named in certificates' CRL Distribution Points, fetched by the gateway, verified
/// with the issuer's key, kept in memory (and in <c>CrlCacheFolder</c>) and refreshed by <see cref="Loading.CrlRefreshService"/>
/// before their nextUpdate. Tracked per (trust store, issuer name + key, URL), so a list fetched for one certificate
/// serves every certificate of that issuer naming the same URL.
/// </summary>
/// <remarks>
/// <para>Only the verifier's revocation step asks, and it runs once the chain verified to the store's anchor: an
/// unverified certificate never makes the gateway connect anywhere.</para>
/// <para>Only the first sight of a point (no fetch completed yet) waits, at most the store's <c>RevocationTimeout</c>, for
/// the one fetch in flight per point; nothing global is locked meanwhile. Later sights never wait: a failed point is
/// retried in the background with back-off, and a held list serves until nextUpdate + ClockSkew.</para>
/// <para>Network timeouts are real time; schedules (refresh, nextUpdate) follow the gateway's <see cref="TimeProvider"/>.</para>
/// </remarks>
public sealed class FetchedCrls : IDisposable
{
    /// <summary>Most points tracked at once: a hostile (but verified) chain may still name many URLs.</summary>
    public const int MaxTracked = 1000;

    /// <summary>Timeout of a background refresh (first sights use the store's RevocationTimeout).</summary>
    public static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Shortest time between two fetches of one point, and the first retry after a failure.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(30);

    /// <summary>Longest back-off between failed fetches, and the refresh interval of a list without nextUpdate.</summary>
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<Key, FetchedCrl> _points = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CrlDownloader _downloader;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public FetchedCrls(TimeProvider time, ILogger<FetchedCrls> logger)
        : this(time, logger, handler: null)
    {
    }

    internal FetchedCrls(TimeProvider time, ILogger logger, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _time = time;
        _logger = logger;
        _downloader = new CrlDownloader(handler);
        Ocsp = new OcspAnswers(time, logger, _downloader, Signal, _stopping.Token);
    }

    /// <summary>Raised after every completed fetch (metrics).</summary>
    public event Action<CrlFetchReport>? Fetched;

    /// <summary>The last step of Online: OCSP answers, asked through the same client when no current CRL is known.</summary>
    public OcspAnswers Ocsp { get; }

    /// <summary>Changes whenever a held list, or a certificate's OCSP status, changes: cached verdicts of Online stores
    /// include it in their key.</summary>
    public long Version => Interlocked.Read(ref _version) + Ocsp.Version;

    /// <summary>Completes when a point was added or fetched (the refresh service then recomputes its next wake-up).</summary>
    internal Task Changed => Volatile.Read(ref _changed).Task;

    internal IReadOnlyCollection<FetchedCrl> Points => [.. _points.Values];

    /// <summary>The revocation status of <paramref name="certificate"/> from its issuer's fetched CRL, else from OCSP: null
    /// when a current list (or answer) does not list it, else revoked or unknown with the hint. The first sight waits at
    /// most the store's RevocationTimeout for both together.</summary>
    internal RevocationOutcome? Check(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, TrustStore store, DateTimeOffset at,
        ICollection<RevocationEvidence>? evidence = null)
    {
        var started = Stopwatch.GetTimestamp();
        var distributionPoints = CrlDistributionPoints.Read(certificate);
        List<FetchedCrl>? points = null;
        if (distributionPoints.HttpUrls.Count > 0)
        {
            points = Track(distributionPoints.HttpUrls, issuer, store);
            if (Judge(points, certificate, isLeaf, issuer, at, evidence, out var outcome))
            {
                return outcome;
            }

            if (points.Any(p => !p.State.Attempted))
            {
                // First sight: wait (bounded) for the points in order; the fetch goes on in the background past the timeout.
                var first = FetchInOrderAsync(points, store.RevocationTimeout, at);
                try
                {
                    first.Wait(store.RevocationTimeout);
                }
                catch (AggregateException)
                {
                    // Fetches report their own failures; the state below says what is known.
                }

                if (Judge(points, certificate, isLeaf, issuer, at, evidence, out outcome))
                {
                    return outcome;
                }
            }
        }

        // No current CRL: the OCSP responder, with what is left of the first sight's time.
        var ocsp = Ocsp.Check(certificate, isLeaf, issuer, store, at, store.RevocationTimeout - Stopwatch.GetElapsedTime(started), evidence);
        var crlHint = points switch
        {
            null => null,
            { Count: 0 } => FetchedCrlHints.TooManyTracked(issuer, MaxTracked),
            _ => FetchedCrlHints.NoCurrentCrl(issuer, points, at),
        };
        if (ocsp.HasResponder)
        {
            return ocsp.Outcome is { IsRevoked: false } unknown && crlHint is not null
                ? RevocationOutcome.Unknown($"{unknown.Hint}; and {crlHint}")
                : ocsp.Outcome;
        }

        return RevocationOutcome.Unknown(crlHint is null
            ? FetchedCrlHints.NoDistributionPoint(certificate, issuer, distributionPoints, OcspHints.NoResponder(ocsp.Responders!), store)
            : $"{crlHint}; it {OcspHints.NoResponder(ocsp.Responders!)}");
    }

    /// <summary>The earliest nextUpdate + ClockSkew after <paramref name="at"/> of the lists held for <paramref name="trustStore"/>.</summary>
    internal DateTimeOffset? NextBoundaryAfter(string trustStore, DateTimeOffset at)
    {
        DateTimeOffset? earliest = null;
        foreach (var point in _points.Values)
        {
            if (point.TrustStore == trustStore && point.State.Crl?.NextUpdate is { } next && next + point.ClockSkew > at
                && (earliest is null || next + point.ClockSkew < earliest))
            {
                earliest = next + point.ClockSkew;
            }
        }

        return earliest;
    }

    /// <summary>When the next background fetch is due, or null when nothing is tracked.</summary>
    internal DateTimeOffset? NextDueAt()
    {
        var crl = _points.IsEmpty ? (DateTimeOffset?)null : _points.Values.Min(p => p.State.NextAttemptAt);
        return Ocsp.NextDueAt() is { } ocsp && (crl is null || ocsp < crl) ? ocsp : crl;
    }

    /// <summary>Fetches every point that is due and not already being fetched; forgets the points of stores no longer Online.</summary>
    internal Task RefreshDueAsync(Func<string, bool> isOnlineStore, CancellationToken cancellation)
    {
        var now = _time.GetUtcNow();
        var due = new List<Task>();
        foreach (var (key, point) in _points)
        {
            if (!isOnlineStore(point.TrustStore))
            {
                _points.TryRemove(key, out _);
                continue;
            }

            if (point.State.NextAttemptAt <= now)
            {
                due.Add(point.Fetch.Join(() => FetchAsync(point, RefreshTimeout)).WaitAsync(cancellation));
            }
        }

        due.Add(Ocsp.RefreshDueAsync(isOnlineStore, cancellation));
        return Task.WhenAll(due);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _downloader.Dispose();
    }

    private static bool Judge(IReadOnlyList<FetchedCrl> points, X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, DateTimeOffset at,
        ICollection<RevocationEvidence>? evidence, out RevocationOutcome? outcome)
    {
        // A listed serial stays revoked even in a stale list, so look before judging freshness.
        foreach (var point in points)
        {
            if (point.State is { Crl: { } crl } state && crl.TryGetRevocationDate(certificate.SerialNumber, out var revokedAt))
            {
                evidence?.Add(Evidence(point, state, crl, certificate, issuer, revoked: true));
                outcome = RevocationOutcome.Revoked($"{VerificationHints.Revoked(certificate, isLeaf, issuer, revokedAt)} (fetched from {point.Url})");
                return true;
            }
        }

        outcome = null;
        if (points.FirstOrDefault(p => p.IsCurrent(at)) is not { } current)
        {
            return false;
        }

        evidence?.Add(Evidence(current, current.State, current.State.Crl!, certificate, issuer, revoked: false));
        return true;
    }

    private static RevocationEvidence Evidence(FetchedCrl point, FetchedCrlState state, RevocationList crl, X509Certificate2 certificate, X509Certificate2 issuer, bool revoked) =>
        new(CertificateFacts.Name(certificate), CertificateFacts.Name(issuer), point.Url, crl.ThisUpdate, crl.NextUpdate, revoked, RevocationEvidenceKind.FetchedCrl,
            state.LastResult == "ok" ? state.LastFetchAt : null);

    private List<FetchedCrl> Track(IReadOnlyList<string> urls, X509Certificate2 issuer, TrustStore store)
    {
        var issuerKey = DistinguishedNames.Format(issuer.SubjectName) + "|" + Fingerprints.PublicKeySha256(issuer);
        var points = new List<FetchedCrl>(urls.Count);
        foreach (var url in urls)
        {
            var key = new Key(store.Name, issuerKey, url);
            if (_points.TryGetValue(key, out var point))
            {
                points.Add(point);
                continue;
            }

            if (_points.Count >= MaxTracked)
            {
                continue;
            }

            var added = new FetchedCrl(store.Name, X509CertificateLoader.LoadCertificate(issuer.RawData), url, store.CrlCacheFolder, store.MaxCrlSize,
                store.ClockSkew);
            LoadCached(added);
            if (_points.TryAdd(key, added))
            {
                Signal(); // a list read from the cache folder has its refresh scheduled
                points.Add(added);
            }
            else
            {
                added.Issuer.Dispose();
                points.Add(_points[key]);
            }
        }

        return points;
    }

    /// <summary>Tries the points in order until one gives a current list.</summary>
    private async Task FetchInOrderAsync(IReadOnlyList<FetchedCrl> points, TimeSpan timeout, DateTimeOffset at)
    {
        foreach (var point in points)
        {
            if (!point.State.Attempted)
            {
                await point.Fetch.Join(() => FetchAsync(point, timeout));
            }

            if (point.IsCurrent(at))
            {
                return;
            }
        }
    }

    private async Task FetchAsync(FetchedCrl point, TimeSpan timeout)
    {
        var held = point.State;
        var download = await _downloader.GetAsync(new Uri(point.Url), held.Crl is null ? null : held.ETag, held.Crl is null ? null : held.LastModified,
            point.MaxSize, timeout, _stopping.Token);
        var now = _time.GetUtcNow();
        switch (download.Status)
        {
            case CrlDownloadStatus.NotModified:
                Succeeded(point, held.Crl!, download, now, notModified: true);
                return;
            case CrlDownloadStatus.Ok:
                if (Accept(point, download.Body!, held.Crl, out var crl, out var why))
                {
                    Succeeded(point, crl, download, now, notModified: false);
                    SaveCached(point, crl, download, now);
                }
                else
                {
                    Failed(point, "refused", why, now);
                }

                return;
            default:
                Failed(point, download.Status == CrlDownloadStatus.Refused ? "refused" : "failed", download.Error!, now);
                return;
        }
    }

    /// <summary>Parses <paramref name="body"/> and checks that the point's issuer signed it (name, key, cRLSign).</summary>
    private static bool Accept(FetchedCrl point, byte[] body, RevocationList? held, out RevocationList crl, out string why)
    {
        crl = null!;
        RevocationList parsed;
        try
        {
            parsed = RevocationList.Parse(body);
        }
        catch (FormatException e)
        {
            why = $"not a usable CRL: {e.Message}";
            return false;
        }

        var signature = parsed.CheckSignature(point.Issuer);
        if (signature != CrlSignatureStatus.Valid)
        {
            why = signature switch
            {
                CrlSignatureStatus.IssuerMismatch => $"the CRL is issued by {DistinguishedNames.Format(parsed.Issuer)}, not by {point.IssuerName}",
                CrlSignatureStatus.BadSignature => $"the CRL's signature does not verify with the key of {point.IssuerName}",
                CrlSignatureStatus.UnsupportedAlgorithm => $"the CRL's signature algorithm {parsed.SignatureAlgorithm} is not one the gateway verifies",
                _ => $"{point.IssuerName} may not sign CRLs (its key usage lacks cRLSign)",
            };
            return false;
        }

        if (held is not null && parsed.ThisUpdate < held.ThisUpdate)
        {
            why = $"the CRL (thisUpdate {Durations.Instant(parsed.ThisUpdate)}) is older than the one held ({Durations.Instant(held.ThisUpdate)})";
            return false;
        }

        crl = parsed.BoundTo(point.Issuer);
        why = string.Empty;
        return true;
    }

    private void Succeeded(FetchedCrl point, RevocationList crl, CrlDownload download, DateTimeOffset now, bool notModified)
    {
        point.State = new FetchedCrlState(crl, download.ETag, download.LastModified, now, "ok", null, RefreshAt(crl, now, Random.Shared.NextDouble()), 0, Attempted: true);
        if (!notModified)
        {
            Interlocked.Increment(ref _version);
        }

        _logger.CrlFetched(point.IssuerName, point.Url, point.TrustStore, crl.RevokedSerials.Count, crl.ThisUpdate, crl.NextUpdate, notModified);
        Report(point, "ok");
    }

    private void Failed(FetchedCrl point, string result, string error, DateTimeOffset now)
    {
        var held = point.State;
        var failures = held.Failures + 1;
        var backOff = TimeSpan.FromTicks(Math.Min(MaximumInterval.Ticks, MinimumInterval.Ticks << Math.Min(failures - 1, 10)));
        point.State = held with
        {
            LastFetchAt = now, LastResult = result, LastError = error, NextAttemptAt = now + backOff, Failures = failures, Attempted = true,
        };
        _logger.CrlFetchFailed(point.IssuerName, point.Url, point.TrustStore, result, error, now + backOff, point.IsCurrent(now));
        Report(point, result);
    }

    private void Report(FetchedCrl point, string result)
    {
        Fetched?.Invoke(new CrlFetchReport(point.TrustStore, point.IssuerName, point.Url, result));
        Signal();
    }

    /// <summary>At 80 % (less up to 10 % jitter) of the list's lifetime; when that has passed, halfway to its nextUpdate.</summary>
    internal static DateTimeOffset RefreshAt(RevocationList crl, DateTimeOffset now, double jitter) =>
        crl.NextUpdate is { } next ? RefreshAt(crl.ThisUpdate, next, now, jitter) : now + MaximumInterval;

    /// <summary>As above for anything issued at <paramref name="thisUpdate"/> that lasts until <paramref name="next"/> (OCSP answers too).</summary>
    internal static DateTimeOffset RefreshAt(DateTimeOffset thisUpdate, DateTimeOffset next, DateTimeOffset now, double jitter)
    {
        var lifetime = next - thisUpdate;
        var at = thisUpdate + (lifetime * (0.8 - (0.1 * jitter)));
        if (at <= now)
        {
            at = now + TimeSpan.FromTicks(Math.Clamp((next - now).Ticks / 2, MinimumInterval.Ticks, MaximumInterval.Ticks));
        }

        return at < now + MinimumInterval ? now + MinimumInterval : at;
    }

    private void LoadCached(FetchedCrl point)
    {
        if (point.CacheFolder is not { } folder)
        {
            return;
        }

        try
        {
            if (CrlCacheFolder.Read(folder, point.Url) is not { } cached)
            {
                return;
            }

            if (!Accept(point, cached.Der, held: null, out var crl, out var why))
            {
                throw new FormatException(why);
            }

            var now = _time.GetUtcNow();
            // Not "attempted": a list that is no longer current lets the first sight wait for a fresh one.
            point.State = point.State with { Crl = crl, ETag = cached.ETag, LastModified = cached.LastModified, NextAttemptAt = RefreshAt(crl, now, Random.Shared.NextDouble()) };
            Interlocked.Increment(ref _version);
        }
        catch (FormatException e)
        {
            _logger.CrlCacheFileIgnored(CrlCacheFolder.PathFor(folder, point.Url), point.Url, e.Message);
        }
    }

    private void SaveCached(FetchedCrl point, RevocationList crl, CrlDownload download, DateTimeOffset now)
    {
        if (point.CacheFolder is not { } folder)
        {
            return;
        }

        try
        {
            CrlCacheFolder.Write(folder, point.Url, crl.RawData, download.ETag, download.LastModified, now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.CrlCacheWriteFailed(point.Url, folder, e.Message);
        }
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private readonly record struct Key(string TrustStore, string Issuer, string Url);
}
