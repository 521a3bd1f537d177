using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity;

/// <summary>
/// A compiled, immutable trust store: what <see cref="CertificateVerifier"/> checks client certificates
/// against. A reload builds a new instance; connections holding the old one keep using it, so nothing
/// here is ever mutated or disposed after construction.
/// </summary>
public sealed class TrustStore
{
    private readonly X509Certificate2Collection _roots;
    private readonly X509Certificate2Collection _intermediates;
    private readonly DateTimeOffset[] _boundaries;

    public TrustStore(
        string name,
        IEnumerable<X509Certificate2> roots,
        IEnumerable<X509Certificate2> intermediates,
        IEnumerable<RevocationList> crls,
        IEnumerable<string> pins,
        RevocationCheck revocation,
        RevocationFailureAction revocationFailure,
        TimeSpan clockSkew,
        CertificateRequirements? requirements = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Roots = [.. roots];
        Intermediates = [.. intermediates];
        Crls = [.. crls];
        Pins = pins.Select(p => Fingerprints.TryNormalizeSha256(p, out var hex) ? hex : p).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Revocation = revocation;
        RevocationFailure = revocationFailure;
        ClockSkew = clockSkew;
        Requirements = requirements ?? CertificateRequirements.Default;
        _roots = [.. Roots];
        _intermediates = [.. Intermediates];
        Fingerprint = ComputeFingerprint();
        Generation = BitConverter.ToInt64(Convert.FromHexString(Fingerprint.AsSpan(0, 16)));
        _boundaries = [.. Roots.Concat(Intermediates)
            .SelectMany(c => new[] { CertificateFacts.NotBefore(c) - clockSkew, CertificateFacts.NotAfter(c) + clockSkew })
            .Concat(Crls.Where(c => c.NextUpdate is not null).Select(c => c.NextUpdate!.Value))
            .Order()];
    }

    public string Name { get; }

    /// <summary>Self-signed CA certificates: the trust anchors.</summary>
    public IReadOnlyList<X509Certificate2> Roots { get; }

    /// <summary>CA certificates that chain to a root; used to complete chains the client sent incompletely.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>CRLs, each verified against (and bound to) a CA of this store.</summary>
    public IReadOnlyList<RevocationList> Crls { get; }

    /// <summary>Upper-case hex SHA-256 of pinned certificates' DER (colons stripped; lookups ignore case).</summary>
    public IReadOnlySet<string> Pins { get; }

    public RevocationCheck Revocation { get; }

    public RevocationFailureAction RevocationFailure { get; }

    public TimeSpan ClockSkew { get; }

    /// <summary>Online: the longest the first sight of an issuer may wait for its CRL.</summary>
    public TimeSpan RevocationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Online: full path of the folder fetched CRLs are kept in across restarts, or null.</summary>
    public string? CrlCacheFolder { get; init; }

    /// <summary>Largest CRL (bytes) accepted from a distribution point.</summary>
    public long MaxCrlSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Key sizes, signature algorithms, chain depth and certificate size a client chain must meet.</summary>
    public CertificateRequirements Requirements { get; }

    /// <summary>Hex SHA-256 over everything that affects a verdict (name, certificates, CRLs, pins, settings).</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Cache key part derived from <see cref="Fingerprint"/>: it changes whenever the content does, and stays the
    /// same when a reload reads identical files, so cached verdicts survive a no-op reload.
    /// </summary>
    public long Generation { get; }

    /// <summary>Pins only, no CA: only the listed certificates are admitted (no chain is built).</summary>
    public bool IsPinsOnly => Roots.Count == 0;

    /// <summary>Roots and intermediates, in a new collection (the acceptable CA names of the handshake).</summary>
    public X509Certificate2Collection AllCaCertificates => [.. Roots, .. Intermediates];

    internal X509Certificate2Collection RootCollection => _roots;

    internal X509Certificate2Collection IntermediateCollection => _intermediates;

    /// <summary>The newest CRL verified against <paramref name="issuer"/>'s name and key, or null.</summary>
    public RevocationList? FindCrl(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        RevocationList? best = null;
        string? keyHash = null;
        foreach (var crl in Crls)
        {
            if (!crl.Issuer.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                continue;
            }

            keyHash ??= Fingerprints.PublicKeySha256(issuer);
            if (crl.SignerKeySha256 == keyHash && (best is null || crl.ThisUpdate > best.ThisUpdate))
            {
                best = crl;
            }
        }

        return best;
    }

    /// <summary>Whether a certificate with this subject is held as a root or intermediate.</summary>
    internal bool HoldsSubject(X500DistinguishedName name) =>
        Roots.Concat(Intermediates).Any(c => c.SubjectName.RawData.AsSpan().SequenceEqual(name.RawData));

    /// <summary>The first instant after <paramref name="at"/> when a CA's validity window (with skew) or a CRL's nextUpdate is crossed.</summary>
    internal DateTimeOffset? NextBoundaryAfter(DateTimeOffset at)
    {
        foreach (var boundary in _boundaries)
        {
            if (boundary > at)
            {
                return boundary;
            }
        }

        return null;
    }

    private string ComputeFingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(ReadOnlySpan<byte> part)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
            hash.AppendData(length);
            hash.AppendData(part);
        }

        Add(Encoding.UTF8.GetBytes($"{Name}|{Revocation}|{RevocationFailure}|{ClockSkew.Ticks}|{Requirements.Describe()}"));
        foreach (var cert in Roots.Select(c => c.RawData).Concat(Intermediates.Select(c => c.RawData)))
        {
            Add(cert);
        }

        foreach (var crl in Crls)
        {
            Add(crl.RawData);
        }

        foreach (var pin in Pins.Order(StringComparer.Ordinal))
        {
            Add(Encoding.ASCII.GetBytes(pin));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
