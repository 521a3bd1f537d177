using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Remembers verdicts so a client reconnecting (or sending many requests) is not re-verified each time.
/// Key: (trust store <see cref="TrustStore.Generation"/>, leaf SHA-256, hash of the chain the client sent),
/// so a CA/CRL/pin change misses automatically. An entry lives until the first instant its verdict could
/// change — a validity boundary (with skew) of the leaf, a sent intermediate or a CA of the store, a CRL's
/// nextUpdate — and never longer than <see cref="MaxAge"/>, so Online revocation is asked again.
/// </summary>
public sealed class VerificationCache
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly ICertificateVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly int _capacity;

    /// <summary>A cache over the standard <see cref="CertificateVerifier"/>.</summary>
    public VerificationCache(TimeProvider time)
        : this(new CertificateVerifier(), time)
    {
    }

    public VerificationCache(ICertificateVerifier verifier, TimeProvider time, int capacity = DefaultCapacity, TimeSpan? maxAge = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _verifier = verifier;
        _time = time;
        _capacity = capacity;
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
        var key = new Key(store.Generation, leafSha256, chainSha256);
        if (_entries.TryGetValue(key, out var cached) && now < cached.ExpiresAt)
        {
            validUntil = cached.ExpiresAt;
            return cached.Result;
        }

        var result = _verifier.Verify(leaf, presentedExtra, store, now);
        MakeRoom(now);
        validUntil = ExpiryOf(leaf, presentedExtra, store, now);
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

    private readonly record struct Key(long Generation, string LeafSha256, string ChainSha256);

    private sealed record Entry(VerificationResult Result, DateTimeOffset ExpiresAt);
}
