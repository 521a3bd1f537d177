using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Pki;

/// <summary>Key algorithm of a certificate authored by <see cref="CertificateAuthority"/>.</summary>
public enum KeyKind
{
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa1024,
}

/// <summary>What to put in a certificate. Defaults give an ECDSA P-256 end-entity certificate.</summary>
public sealed record CertificateSpec
{
    public required string Subject { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    public bool IsCertificateAuthority { get; init; }

    /// <summary>Path length constraint for a CA; null means none.</summary>
    public int? PathLength { get; init; }

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<string> Uris { get; init; } = [];

    /// <summary>Extended key usage OIDs; null leaves the extension out (any usage).</summary>
    public IReadOnlyList<string>? ExtendedKeyUsages { get; init; } = [Oids.ClientAuth];

    /// <summary>Key usage; null picks the usual one for a CA or an end entity.</summary>
    public X509KeyUsageFlags? KeyUsage { get; init; }

    public KeyKind Key { get; init; } = KeyKind.EcdsaP256;

    /// <summary>The hash the issuer signs with.</summary>
    public HashAlgorithmName SignatureHash { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>
    /// Makes the signature generator from the signing key (the issuer's, or the new key when self-signed);
    /// null uses ECDSA, or RSA PKCS#1, over <see cref="SignatureHash"/>. Tests plug legacy algorithms in here.
    /// </summary>
    public Func<AsymmetricAlgorithm, X509SignatureGenerator>? SignatureGenerator { get; init; }

    /// <summary>
    /// Further extensions, added after the standard ones (name constraints, unknown critical ones in tests); one with the
    /// OID of a standard extension (basic constraints, key usage, key identifiers, SAN, EKU) replaces it.
    /// </summary>
    public IReadOnlyList<X509Extension> Extensions { get; init; } = [];

    /// <summary>OIDs of standard extensions to leave out; only tests want such non-conformant certificates.</summary>
    public IReadOnlyList<string> OmittedExtensions { get; init; } = [];

    /// <summary>CRL distribution point URLs (for Online revocation checking).</summary>
    public IReadOnlyList<string> CrlDistributionPoints { get; init; } = [];

    /// <summary>OCSP responder URLs (authority information access).</summary>
    public IReadOnlyList<string> OcspUrls { get; init; } = [];

    /// <summary>Serial number (big-endian); null draws 16 random bytes.</summary>
    public byte[]? SerialNumber { get; init; }
}
