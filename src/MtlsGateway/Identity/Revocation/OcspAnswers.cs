using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// <c>Revocation: Online</c>, last step: the OCSP responders named in a certificate's Authority Information Access
/// (<c>http://</c> only), asked when neither CrlFiles nor its distribution points gave a current CRL. Answers are
/// verified (<see cref="OcspAnswerCheck"/>) and cached per (issuer name + key, serial) until their nextUpdate; a
/// certificate seen since its answer arrived is asked again in the background before that (<see cref="Loading.CrlRefreshService"/>).
/// </summary>
/// <remarks>
/// <para>The same safety as CRL fetches (<see cref="FetchedCrls"/>): asked only once the chain verified to the store's
/// anchor, through the same client (no proxy, http:// redirects only), never two requests at once for one certificate,
/// an answer cut at <see cref="MaxAnswerSize"/>. A handshake waits (at most what is left of the store's
/// <c>RevocationTimeout</c>) only when no current answer is held and the responder did not just fail; otherwise it
/// gets what is known at once.</para>
/// </remarks>
public sealed class OcspAnswers
{
    /// <summary>Largest OCSP answer accepted: one signed status and the responder's certificate fit in a few KiB.</summary>
    public const int MaxAnswerSize = 64 * 1024;

    /// <summary>Most certificates tracked at once (one entry per client certificate).</summary>
    public const int MaxTracked = 20_000;

    private readonly ConcurrentDictionary<Key, OcspEntry> _entries = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CrlDownloader _downloader;
    private readonly CancellationToken _stopping;
    private readonly Action _changed;
    private long _version;

    internal OcspAnswers(TimeProvider time, ILogger logger, CrlDownloader downloader, Action changed, CancellationToken stopping)
    {
        _time = time;
        _logger = logger;
        _downloader = downloader;
        _changed = changed;
        _stopping = stopping;
    }

    /// <summary>Raised after every answer or failure of a responder (metrics).</summary>
    public event Action<OcspRequestReport>? Answered;

    /// <summary>Changes when a certificate's status changes (not at every refresh: a verdict holds while the status does).</summary>
    public long Version => Interlocked.Read(ref _version);

    internal IReadOnlyCollection<OcspEntry> Entries => [.. _entries.Values];

    /// <summary>
    /// The status of <paramref name="certificate"/> over OCSP: <see cref="OcspLookup.NoResponder"/> when it names none,
    /// else good (no outcome), revoked or unknown with the hint; adds what decided it to <paramref name="evidence"/>.
    /// </summary>
    internal OcspLookup Check(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, TrustStore store, DateTimeOffset at, TimeSpan budget,
        ICollection<RevocationEvidence>? evidence)
    {
        var responders = OcspResponders.Read(certificate);
        if (responders.HttpUrls.Count == 0)
        {
            return OcspLookup.NoResponder(responders);
        }

        var entry = Track(certificate, issuer, responders.HttpUrls, store);
        if (entry is null)
        {
            return OcspLookup.Decided(RevocationOutcome.Unknown(OcspHints.TooManyTracked(issuer, MaxTracked)));
        }

        entry.Seen(_time.GetUtcNow());
        if (!entry.IsCurrent(at) && budget > TimeSpan.Zero && ShouldWait(entry))
        {
            var fetch = entry.Fetch.Join(() => FetchAsync(entry, budget));
            try
            {
                fetch.Wait(budget);
            }
            catch (AggregateException)
            {
                // Fetches report their own failures; the state below says what is known.
            }
        }

        var state = entry.State;
        if (!entry.IsCurrent(at) || state.Answer is not { } answer)
        {
            return OcspLookup.Decided(RevocationOutcome.Unknown(OcspHints.NoAnswer(certificate, isLeaf, issuer, entry, at)));
        }

        evidence?.Add(new RevocationEvidence(CertificateFacts.Name(certificate), CertificateFacts.Name(issuer), state.Url!, answer.ThisUpdate, answer.NextUpdate,
            answer.Status == OcspCertStatus.Revoked, RevocationEvidenceKind.Ocsp, state.FetchedAt, answer.ValidUntil));
        return OcspLookup.Decided(answer.Status switch
        {
            OcspCertStatus.Good => null,
            OcspCertStatus.Revoked => RevocationOutcome.Revoked(OcspHints.Revoked(certificate, isLeaf, issuer, answer, state.Url!)),
            _ => RevocationOutcome.Unknown(OcspHints.AnsweredUnknown(certificate, isLeaf, issuer, state.Url!)),
        });
    }

    /// <summary>When the next background fetch is due, or null when nothing is tracked.</summary>
    internal DateTimeOffset? NextDueAt() => _entries.IsEmpty ? null : _entries.Values.Min(e => e.State.NextAttemptAt);

    /// <summary>Refreshes the answers that are due for certificates seen since they arrived; forgets the others once their
    /// answer expired, and everything of stores no longer Online.</summary>
    internal Task RefreshDueAsync(Func<string, bool> isOnlineStore, CancellationToken cancellation)
    {
        var now = _time.GetUtcNow();
        var due = new List<Task>();
        foreach (var (key, entry) in _entries)
        {
            var state = entry.State;
            if (!isOnlineStore(entry.TrustStore))
            {
                Forget(key, entry);
                continue;
            }

            if (state.NextAttemptAt > now || entry.Fetch.IsRunning)
            {
                continue;
            }

            if (state.LastFetchAt is { } last && entry.LastSeenAt > last)
            {
                due.Add(entry.Fetch.Join(() => FetchAsync(entry, FetchedCrls.RefreshTimeout)).WaitAsync(cancellation));
            }
            else if (!entry.IsCurrent(now))
            {
                Forget(key, entry); // not seen since its answer, which has expired: a later sight asks afresh
            }
            else
            {
                entry.State = state with { NextAttemptAt = state.Answer?.ValidUntil ?? now + FetchedCrls.MaximumInterval };
            }
        }

        return Task.WhenAll(due);
    }

    /// <summary>Waiting helps only when no fetch just failed: a responder that is down answers the next handshakes at once.</summary>
    private bool ShouldWait(OcspEntry entry) =>
        !entry.State.Attempted || entry.Fetch.IsRunning || entry.State.NextAttemptAt <= _time.GetUtcNow();

    private OcspEntry? Track(X509Certificate2 certificate, X509Certificate2 issuer, IReadOnlyList<string> urls, TrustStore store)
    {
        var serial = Convert.ToHexString(certificate.SerialNumberBytes.Span);
        var key = new Key(DistinguishedNames.Format(issuer.SubjectName) + "|" + Fingerprints.PublicKeySha256(issuer), serial);
        if (_entries.TryGetValue(key, out var entry))
        {
            return entry;
        }

        if (_entries.Count >= MaxTracked)
        {
            return null;
        }

        var certId = OcspRequest.CertIdFor(certificate, issuer);
        var request = OcspRequest.Encode(certId);
        if (request is null)
        {
            return null;
        }

        var added = new OcspEntry(store.Name, X509CertificateLoader.LoadCertificate(issuer.RawData), serial, certId, request, urls, store.ClockSkew, _time.GetUtcNow());
        if (_entries.TryAdd(key, added))
        {
            return added;
        }

        added.Issuer.Dispose();
        return _entries[key];
    }

    private void Forget(Key key, OcspEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<Key, OcspEntry>(key, entry)))
        {
            entry.Issuer.Dispose();
        }
    }

    /// <summary>Asks the responders in order until one gives a believed answer.</summary>
    private async Task FetchAsync(OcspEntry entry, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var errors = new List<string>();
        var result = "failed";
        foreach (var url in entry.Urls)
        {
            var left = timeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                errors.Add($"{url}: not asked, no time left");
                break;
            }

            var download = await _downloader.PostOcspAsync(new Uri(url), entry.Request, MaxAnswerSize, left, _stopping);
            var now = _time.GetUtcNow();
            if (download.Status != CrlDownloadStatus.Ok)
            {
                result = download.Status == CrlDownloadStatus.Refused ? "refused" : "failed";
                errors.Add($"{url}: {download.Error}");
                Report(entry, url, result);
                continue;
            }

            if (OcspAnswerCheck.Check(download.Body!, entry.CertId, entry.Issuer, now, entry.ClockSkew, out var why) is not { } answer)
            {
                result = "refused";
                errors.Add($"{url} {why}");
                Report(entry, url, result);
                continue;
            }

            Succeeded(entry, url, answer, now);
            return;
        }

        Failed(entry, result, string.Join("; ", errors), _time.GetUtcNow());
    }

    private void Succeeded(OcspEntry entry, string url, OcspAnswer answer, DateTimeOffset now)
    {
        var held = entry.State;
        var refreshAt = answer.NextUpdate is { } next
            ? FetchedCrls.RefreshAt(answer.ThisUpdate, next, now, RandomNumberGenerator.GetInt32(1000) / 1000.0)
            : answer.ValidUntil; // no nextUpdate: not refreshed; the first sight after it expired asks again
        entry.State = new OcspState(answer, url, now, now, StatusName(answer.Status), null, refreshAt, 0, Attempted: true);
        if (held.Answer?.Status != answer.Status)
        {
            Interlocked.Increment(ref _version);
        }

        var status = StatusName(answer.Status);
        _logger.OcspAnswered(entry.IssuerName, entry.Serial, url, entry.TrustStore, status, answer.ThisUpdate, answer.NextUpdate, answer.SignedBy);
        Report(entry, url, status);
    }

    private void Failed(OcspEntry entry, string result, string error, DateTimeOffset now)
    {
        var held = entry.State;
        var failures = held.Failures + 1;
        var backOff = TimeSpan.FromTicks(Math.Min(FetchedCrls.MaximumInterval.Ticks, FetchedCrls.MinimumInterval.Ticks << Math.Min(failures - 1, 10)));
        entry.State = held with
        {
            LastFetchAt = now, LastResult = result, LastError = error, NextAttemptAt = now + backOff, Failures = failures, Attempted = true,
        };
        _logger.OcspFailed(entry.IssuerName, entry.Serial, entry.TrustStore, result, error, now + backOff, entry.IsCurrent(now));
        _changed();
    }

    private void Report(OcspEntry entry, string url, string result)
    {
        Answered?.Invoke(new OcspRequestReport(entry.TrustStore, entry.IssuerName, url, result));
        _changed();
    }

    private static string StatusName(OcspCertStatus status) => status switch
    {
        OcspCertStatus.Good => "good",
        OcspCertStatus.Revoked => "revoked",
        _ => "unknown",
    };

    private readonly record struct Key(string Issuer, string Serial);
}
