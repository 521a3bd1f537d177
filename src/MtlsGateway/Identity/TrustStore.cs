using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtlsGateway.Configuration;
using MtlsGateway.Identity.Spiffe;

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
    private readonly CrlIndex _crlIndex;

    public TrustStore(
        string name,
        IEnumerable<X509Certificate2> roots,
        IEnumerable<X509Certificate2> intermediates,
        IEnumerable<RevocationList> crls,
        IEnumerable<string> pins,
        RevocationCheck revocation,
        RevocationFailureAction revocationFailure,
        TimeSpan clockSkew,
        CertificateRequirements? requirements = null,
        bool allowPartialChain = false,
        IEnumerable<string>? crlSources = null,
        SpiffeTrust? spiffe = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Roots = [.. roots];
        Intermediates = [.. intermediates];
        Crls = [.. crls];
        CrlSources = crlSources is null ? [.. Crls.Select((_, i) => $"CrlFiles:{i}")] : [.. crlSources];
        if (CrlSources.Count != Crls.Count)
        {
            throw new ArgumentException("one source per CRL", nameof(crlSources));
        }

        AllowPartialChain = allowPartialChain;
        Pins = pins.Select(p => Fingerprints.TryNormalizeSha256(p, out var hex) ? hex : p).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Revocation = revocation;
        RevocationFailure = revocationFailure;
        ClockSkew = clockSkew;
        Requirements = requirements ?? CertificateRequirements.Default;
        Spiffe = spiffe;
        _roots = [.. Roots];
        _intermediates = [.. Intermediates];
        _crlIndex = new CrlIndex(Crls, CrlSources);
        Fingerprint = ComputeFingerprint();
        Generation = BitConverter.ToInt64(Convert.FromHexString(Fingerprint.AsSpan(0, 16)));
        _boundaries = [.. Roots.Concat(Intermediates).Concat(spiffe?.Authorities ?? [])
            .SelectMany(c => new[] { CertificateFacts.NotBefore(c) - clockSkew, CertificateFacts.NotAfter(c) + clockSkew })
            .Concat(Crls.Where(c => c.NextUpdate is not null).Select(c => c.NextUpdate!.Value))
            .Concat(Crls.Select(c => c.ThisUpdate - clockSkew)) // a CRL issued "in the future" becomes usable then
            .Order()];
    }

    public string Name { get; }

    /// <summary>Self-signed CA certificates: the trust anchors (with <see cref="AllowPartialChain"/>, not the only ones).</summary>
    public IReadOnlyList<X509Certificate2> Roots { get; }

    /// <summary>CA certificates that are not self-signed: they complete chains the client sent incompletely, and with
    /// <see cref="AllowPartialChain"/> are trust anchors themselves.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>
    /// The CRLs of CrlFiles. One issued by a CA of this store was verified against it on load (its
    /// <see cref="RevocationList.Signer"/> is set); any other waits for a presented issuer and is used only once its
    /// signature verifies with the key of a CA in a verified chain (see <see cref="LookupCrl"/>).
    /// </summary>
    public IReadOnlyList<RevocationList> Crls { get; }

    /// <summary>Where each of <see cref="Crls"/> came from (same order): the CrlFiles entry as configured.</summary>
    public IReadOnlyList<string> CrlSources { get; }

    /// <summary>Every CA of CaFiles is a trust anchor, self-signed or not: chains may end at a partner's issuing CA.</summary>
    public bool AllowPartialChain { get; }

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

    /// <summary>The SPIFFE bundles (SpiffeBundles), or null: an X509-SVID is verified against its trust domain's bundle only.</summary>
    public SpiffeTrust? Spiffe { get; }

    /// <summary>Set on the store compiled for one trust domain's bundle (see <see cref="SpiffeTrust"/>): its anchors are
    /// that bundle's authorities, and hints name the bundle rather than CaFiles.</summary>
    public SpiffeBundle? Bundle { get; init; }

    /// <summary>Hex SHA-256 over everything that affects a verdict (name, certificates, CRLs, pins, bundles, settings).</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Cache key part derived from <see cref="Fingerprint"/>: it changes whenever the content does, and stays the
    /// same when a reload reads identical files, so cached verdicts survive a no-op reload.
    /// </summary>
    public long Generation { get; }

    /// <summary>Pins only, no CA: only the listed certificates are admitted (no chain is built).</summary>
    public bool IsPinsOnly => Roots.Count == 0 && Intermediates.Count == 0;

    /// <summary>Roots, intermediates and SPIFFE bundle authorities, in a new collection (the acceptable CA names of the handshake).</summary>
    public X509Certificate2Collection AllCaCertificates => [.. Roots, .. Intermediates, .. Spiffe?.Authorities ?? []];

    internal X509Certificate2Collection RootCollection => _roots;

    internal X509Certificate2Collection IntermediateCollection => _intermediates;

    /// <summary>The newest CRL that names <paramref name="issuer"/> and verifies with its key, or null (see <see cref="LookupCrl"/>).</summary>
    public RevocationList? FindCrl(X509Certificate2 issuer) => LookupCrl(issuer).Crl;

    /// <summary>
    /// The one CRL lookup: for the issuer of a certificate in a chain that verified to an anchor of this store (a CA
    /// of the store or one the client sent), the newest CRL of CrlFiles that names it and verifies with its key
    /// (verdicts cached per issuer key), its source, and the same-named lists that did not verify.
    /// </summary>
    public CrlLookup LookupCrl(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return _crlIndex.Find(issuer);
    }

    /// <summary>How many (CRL, presented issuer key) verdicts are cached.</summary>
    internal int CrlBindingCount => _crlIndex.BindingCount;

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

        Add(Encoding.UTF8.GetBytes($"{Name}|{Revocation}|{RevocationFailure}|{ClockSkew.Ticks}|{AllowPartialChain}|{Requirements.Describe()}"));
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

        // A rotated bundle (new authorities, or only a new sequence) is a new generation: cached verdicts miss.
        foreach (var bundle in Spiffe?.Bundles ?? [])
        {
            Add(Encoding.UTF8.GetBytes($"spiffe|{bundle.TrustDomain}|{bundle.Source}|{bundle.Sequence}|{bundle.RefreshHint?.Ticks}"));
            foreach (var authority in bundle.Authorities)
            {
                Add(authority.RawData);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
