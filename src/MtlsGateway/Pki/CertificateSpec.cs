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

    /// <summary>Serial number (big-endian); null draws 16 random bytes.</summary>
    public byte[]? SerialNumber { get; init; }
}
