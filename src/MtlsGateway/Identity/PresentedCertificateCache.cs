using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Partners reconnect with the same certificate all day: this hands every handshake presenting the same bytes (leaf
/// and sent chain, by SHA-256) the same <see cref="PresentedCertificate"/>, so a handshake hashes the DER once instead
/// of copying and parsing the certificates and reading their names again, and idle connections share one copy.
/// Only bytes are compared, never verdicts: verification stays in <see cref="VerificationCache"/>.
/// </summary>
public sealed class PresentedCertificateCache
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<Key, PresentedCertificate> _entries = new();
    private readonly int _capacity;

    public PresentedCertificateCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <param name="leaf">The certificate the client presented (SslStream's instance; not kept).</param>
    /// <param name="sent">What the client sent with it (the validation chain's ExtraStore; the leaf may be among them).</param>
    public PresentedCertificate Get(X509Certificate leaf, X509Certificate2Collection? sent)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var leafDer = PresentedCertificate.DerOf(leaf).Span;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(leafDer);
        var leafSha256 = hash.GetHashAndReset();
        Span<byte> certificateHash = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var extra in sent ?? [])
        {
            SHA256.HashData(extra.RawDataMemory.Span, certificateHash);
            hash.AppendData(certificateHash);
        }

        var key = new Key(Convert.ToHexString(leafSha256), Convert.ToHexString(hash.GetHashAndReset()));
        if (_entries.TryGetValue(key, out var presented))
        {
            return presented;
        }

        presented = PresentedCertificate.Copy(leaf, sent);
        if (_entries.Count >= _capacity)
        {
            _entries.Clear(); // crude, but bounded and lock-free; connections keep the instances they hold
        }

        return _entries.GetOrAdd(key, presented);
    }

    private readonly record struct Key(string LeafSha256, string SentSha256);
}
