using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Partners reconnect with the same certificate all day: every handshake presenting the same bytes (leaf and sent
/// chain, by SHA-256) gets the same <see cref="PresentedCertificate"/>, so a handshake hashes the DER once instead of
/// copying and parsing the certificates and reading their names again, and idle connections share one copy.
/// Only certificates some policy admitted are kept (<see cref="Remember"/>): before that the bytes are anyone's, and
/// a stranger must not be able to fill the gateway's memory with them. Bounded by entries and by DER bytes; when
/// either is reached the cache starts over. Only bytes are compared, never verdicts: those stay in
/// <see cref="VerificationCache"/>.
/// </summary>
public sealed class PresentedCertificateCache
{
    public const int DefaultCapacity = 10_000;

    /// <summary>DER bytes held (what the copies parse from; their native forms are a small multiple of it).</summary>
    public const long DefaultByteCapacity = 32 * 1024 * 1024;

    private readonly ConcurrentDictionary<Key, PresentedCertificate> _entries = new();

    // Leaf SHA-256 → the certificate as last sent with a chain that reached a trust anchor. A resumed TLS session carries
    // the client's certificate but not the intermediates it sent, so a root-only store would read PartialChain on every
    // resumption without this. The chain is public data and is verified in full again; it only lets the chain builder
    // find the issuer it found last time. Only chains that verified to an anchor get here, so strangers cannot fill it.
    private readonly ConcurrentDictionary<string, PresentedCertificate> _sentWith = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly long _byteCapacity;
    private int _count;
    private long _bytes;

    public PresentedCertificateCache(int capacity = DefaultCapacity, long byteCapacity = DefaultByteCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(byteCapacity);
        _capacity = capacity;
        _byteCapacity = byteCapacity;
    }

    public int Count => _entries.Count;

    /// <summary>The shared copy of these bytes if a policy admitted them before; else a private copy for this
    /// connection, which <see cref="Remember"/> shares once a policy admits it.</summary>
    /// <param name="leaf">The certificate the client presented (SslStream's instance; not kept).</param>
    /// <param name="sent">What the client sent with it (the validation chain's ExtraStore; the leaf may be among them).</param>
    public PresentedCertificate Get(X509Certificate leaf, X509Certificate2Collection? sent)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var leafDer = PresentedCertificate.DerOf(leaf).Span;
        Span<byte> leafHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(leafDer, leafHash);
        var key = new Key(Convert.ToHexString(leafHash), Fingerprints.ChainSha256(sent, except: leafHash));
        if (_entries.TryGetValue(key, out var shared))
        {
            return shared;
        }

        if (key.ChainSha256.Length == 0 && _sentWith.TryGetValue(key.LeafSha256, out var withChain))
        {
            return withChain; // nothing sent beside the leaf (a resumed session): the chain it was verified with
        }

        return PresentedCertificate.Copy(leaf, sent, key.LeafSha256, key.ChainSha256);
    }

    /// <summary>Shares a certificate a policy admitted with the handshakes that present the same bytes later.</summary>
    public void Remember(PresentedCertificate presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var key = new Key(presented.Identity.Sha256, presented.ChainSha256);
        if (_entries.ContainsKey(key) || !_entries.TryAdd(key, presented))
        {
            return;
        }

        RememberChain(presented);

        // Approximate under races, which is all a bound needs; connections keep the instances they hold.
        if (Interlocked.Increment(ref _count) > _capacity || Interlocked.Add(ref _bytes, presented.DerLength) > _byteCapacity)
        {
            _entries.Clear();
            _sentWith.Clear();
            Volatile.Write(ref _count, 0);
            Volatile.Write(ref _bytes, 0);
        }
    }

    /// <summary>Keeps the chain a certificate was sent with once it verified to a trust anchor (admitted or not: a
    /// revocation or allowlist refusal may be fixed by a reload), for sessions that resume without it.</summary>
    public void RememberChain(PresentedCertificate presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (presented.ChainSha256.Length == 0)
        {
            return;
        }

        if (_sentWith.Count >= _capacity)
        {
            _sentWith.Clear();
        }

        _sentWith[presented.Identity.Sha256] = presented;
    }

    private readonly record struct Key(string LeafSha256, string ChainSha256);
}
