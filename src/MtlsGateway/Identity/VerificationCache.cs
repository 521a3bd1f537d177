using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Identity;

/// <summary>
/// Remembers verdicts so a client reconnecting (or sending many requests) is not re-verified each time.
/// Key: (trust store <see cref="TrustStore.Generation"/>, leaf SHA-256, hash of the chain the client sent),
/// so a CA/CRL/pin change misses automatically. An entry lives until the first instant its verdict could
/// change — a validity boundary (with skew) of the leaf, a sent intermediate or a CA of the store, a CRL's
/// nextUpdate (fetched ones too), the end of an OCSP answer that decided it — and never longer than <see cref="MaxAge"/>. For Online stores the key also holds
/// <see cref="FetchedCrls.Version"/>, so a refreshed CRL applies at once, and a verdict whose revocation status is
/// unknown (a fetch pending or failed) is asked again after <see cref="RevocationRecheck"/>.
/// </summary>
public sealed class VerificationCache
{
    public const int DefaultCapacity = 10_000;

    /// <summary>How long an Online verdict without a known revocation status is kept: the fetch behind it may succeed soon.</summary>
    public static readonly TimeSpan RevocationRecheck = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly ICertificateVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly FetchedCrls? _fetched;

    /// <summary>A cache over the standard <see cref="CertificateVerifier"/>.</summary>
    public VerificationCache(TimeProvider time)
        : this(new CertificateVerifier(), time)
    {
    }

    /// <param name="verifier">Gives the verdicts.</param>
    /// <param name="time">The clock entries expire by.</param>
    /// <param name="capacity">Most entries.</param>
    /// <param name="maxAge">Longest an entry lives.</param>
    /// <param name="fetched">The verifier's fetched CRLs, whose changes and nextUpdates bound the entries of Online stores.</param>
    public VerificationCache(ICertificateVerifier verifier, TimeProvider time, int capacity = DefaultCapacity, TimeSpan? maxAge = null, FetchedCrls? fetched = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _verifier = verifier;
        _time = time;
        _capacity = capacity;
        _fetched = fetched;
        MaxAge = maxAge ?? TimeSpan.FromMinutes(5);
    }

    public TimeSpan MaxAge { get; }

    public int Count => _entries.Count;

    public VerificationResult GetOrVerify(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store) =>
        GetOrVerify(leaf, presentedExtra, store, out _);

    /// <param name="leaf">The client's certificate.</param>
    /// <param name="presentedExtra">The other certificates the client sent.</param>
    /// <param name="store">The trust store to verify against.</param>
    /// <param name="validUntil">Until when the verdict holds (the entry's expiry): callers may keep it that long.</param>
    public VerificationResult GetOrVerify(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, out DateTimeOffset validUntil)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(store);
        return GetOrVerify(leaf, presentedExtra, store, Fingerprints.Sha256(leaf), Fingerprints.ChainSha256(presentedExtra), out validUntil);
    }

    /// <summary>As above for a certificate whose hashes are already known (a handshake's).</summary>
    public VerificationResult GetOrVerify(PresentedCertificate presented, TrustStore store, out DateTimeOffset validUntil)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(store);
        return GetOrVerify(presented.Leaf, presented.Chain, store, presented.Identity.Sha256, presented.ChainSha256, out validUntil);
    }

    private VerificationResult GetOrVerify(
        X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, string leafSha256, string chainSha256, out DateTimeOffset validUntil)
    {
        var now = _time.GetUtcNow();
        var online = _fetched is not null && store.Revocation == RevocationCheck.Online;
        var key = new Key(store.Generation, online ? _fetched!.Version : 0, leafSha256, chainSha256);
        if (_entries.TryGetValue(key, out var cached) && now < cached.ExpiresAt)
        {
            validUntil = cached.ExpiresAt;
            return cached.Result;
        }

        var result = _verifier.Verify(leaf, presentedExtra, store, now);
        MakeRoom(now);
        validUntil = ExpiryOf(leaf, presentedExtra, store, now);
        if (online)
        {
            validUntil = Earliest(validUntil, result.Reason == RejectReason.RevocationUnknown || result.Warning is not null
                ? now + RevocationRecheck
                : _fetched!.NextBoundaryAfter(store.Name, now));
            foreach (var evidence in result.Revocation)
            {
                validUntil = Earliest(validUntil, evidence.ValidUntil); // an OCSP answer bounds the verdict it decided
            }
        }

        _entries[key] = new Entry(result, validUntil);
        return result;
    }

    private DateTimeOffset ExpiryOf(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset now)
    {
        var expiry = now + MaxAge;
        var sent = presentedExtra is null ? [leaf] : presentedExtra.Append(leaf);
        foreach (var certificate in sent)
        {
            foreach (var boundary in new[] { CertificateFacts.NotBefore(certificate) - store.ClockSkew, CertificateFacts.NotAfter(certificate) + store.ClockSkew })
            {
                if (boundary > now && boundary < expiry)
                {
                    expiry = boundary;
                }
            }
        }

        return store.NextBoundaryAfter(now) is { } next && next < expiry ? next : expiry;
    }

    /// <summary>Drops expired entries when full, and everything if that was not enough: a crude bound, but cheap and lock-free.</summary>
    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < _capacity)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset? b) => b is { } other && other < a ? other : a;

    private readonly record struct Key(long Generation, long Fetched, string LeafSha256, string ChainSha256);

    private sealed record Entry(VerificationResult Result, DateTimeOffset ExpiresAt);
}
