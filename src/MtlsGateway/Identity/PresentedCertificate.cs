using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// A client certificate as the gateway keeps it: our own copies of the leaf and of the other certificates the client
/// sent (SslStream disposes its own when the connection ends), the leaf's identity and the hash of the sent chain,
/// which together key verdicts. Every connection presenting the same bytes shares one once a policy admitted them
/// (<see cref="PresentedCertificateCache"/>): nothing here changes after construction but the identity header cache,
/// which is safe for concurrent use.
/// </summary>
public sealed class PresentedCertificate
{
    private PresentedCertificate(X509Certificate2 leaf, X509Certificate2Collection chain, string leafSha256, string chainSha256)
    {
        Leaf = leaf;
        Chain = chain;
        ChainSha256 = chainSha256;
        Identity = CertificateIdentity.From(leaf, leafSha256);
        DerLength = leaf.RawDataMemory.Length + chain.Sum(c => c.RawDataMemory.Length);
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>The other certificates the client sent, leaf excluded. Shared: read, never modify.</summary>
    public X509Certificate2Collection Chain { get; }

    public CertificateIdentity Identity { get; }

    /// <summary><see cref="Fingerprints.ChainSha256"/> of <see cref="Chain"/>.</summary>
    public string ChainSha256 { get; }

    /// <summary>Bytes of DER held (leaf and chain).</summary>
    public int DerLength { get; }

    /// <summary>The issuer names of the leaf and of each certificate sent with it, leaf's first, in the form
    /// <see cref="Policies.PartnerIndex"/> looks partners up by; read once, on first use.</summary>
    /// <remarks>An array, not a list interface: the handshake enumerates it without allocating.</remarks>
    internal string[] IssuerKeys => _issuerKeys ??= [.. new[] { Leaf }.Concat(Chain).Select(c => DistinguishedNames.LookupKey(c.IssuerName)).Distinct(StringComparer.OrdinalIgnoreCase)];

    private string[]? _issuerKeys;

    /// <summary>Copies <paramref name="leaf"/> and the certificates of <paramref name="sent"/> other than the leaf.</summary>
    public static PresentedCertificate Copy(X509Certificate leaf, IEnumerable<X509Certificate2>? sent) =>
        Copy(leaf, sent, leafSha256: null, chainSha256: null);

    /// <summary>As above, with the hashes when the caller computed them already (a handshake's cache lookup).</summary>
    internal static PresentedCertificate Copy(X509Certificate leaf, IEnumerable<X509Certificate2>? sent, string? leafSha256, string? chainSha256)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var leafDer = DerOf(leaf);
        var copy = X509CertificateLoader.LoadCertificate(leafDer.Span);
        var chain = new X509Certificate2Collection();
        foreach (var extra in sent ?? [])
        {
            if (!extra.RawDataMemory.Span.SequenceEqual(leafDer.Span))
            {
                chain.Add(X509CertificateLoader.LoadCertificate(extra.RawDataMemory.Span));
            }
        }

        return new PresentedCertificate(copy, chain, leafSha256 ?? Fingerprints.Sha256(copy), chainSha256 ?? Fingerprints.ChainSha256(chain));
    }

    internal static ReadOnlyMemory<byte> DerOf(X509Certificate certificate) =>
        certificate is X509Certificate2 modern ? modern.RawDataMemory : certificate.GetRawCertData();
}
