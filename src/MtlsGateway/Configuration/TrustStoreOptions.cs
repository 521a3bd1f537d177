namespace MtlsGateway.Configuration;

/// <summary>A named set of CA certificates, CRLs and pins that client certificates are verified against.</summary>
public sealed class TrustStoreOptions
{
    /// <summary>PEM files or folders of PEM files holding roots and intermediates.</summary>
    public List<string> CaFiles { get; set; } = [];

    /// <summary>
    /// SPIFFE trust bundle files (JWK Sets with x509-svid keys) by trust domain name (<c>"acme.test": "bundles/acme.json"</c>):
    /// a client certificate whose URI SAN is <c>spiffe://acme.test/…</c> is verified against that bundle only.
    /// </summary>
    public Dictionary<string, string> SpiffeBundles { get; set; } = [];

    /// <summary>CRL files (PEM or DER) of any CA in a verified chain: of the store's CAs, or of intermediates clients send.</summary>
    public List<string> CrlFiles { get; set; } = [];

    /// <summary>Largest CRL file (bytes) read from CrlFiles; a larger one is refused, not read.</summary>
    public long MaxCrlSize { get; set; } = FileLimit.DefaultMaxCrlBytes;

    public RevocationCheck Revocation { get; set; } = RevocationCheck.Offline;

    /// <summary>
    /// A CA certificate in CaFiles that is not self-signed (a partner's issuing CA) is itself a trust anchor: chains may
    /// end there, and its own revocation is not checked. Off, a store must hold a root.
    /// </summary>
    public bool AllowPartialChain { get; set; }

    public RevocationFailureAction RevocationFailure { get; set; } = RevocationFailureAction.Deny;

    /// <summary>Widens the validity window on both ends.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>SHA-256 (hex) of certificates' DER. With no CaFiles, only these exact certificates are trusted.</summary>
    public List<string> Pins { get; set; } = [];

    /// <summary>Smallest RSA key (bits) accepted in a client's chain, the trust anchor included.</summary>
    public int MinimumRsaKeySize { get; set; } = 2048;

    /// <summary>Smallest elliptic-curve key (bits: P-256 is 256) accepted in a client's chain, the trust anchor included.</summary>
    public int MinimumEcKeySize { get; set; } = 256;

    /// <summary>
    /// Signature algorithms (names such as <c>sha256RSA</c>, <c>sha256RSAPSS</c>, <c>sha256ECDSA</c>, or OIDs) accepted on
    /// every certificate of a client's chain except the trust anchor's self-signature. Empty means the safe default
    /// (SHA-256/384/512 with RSA PKCS#1, RSA-PSS or ECDSA); an empty default keeps the binder from appending to it.
    /// </summary>
    public List<string> AllowedSignatureAlgorithms { get; set; } = [];

    /// <summary>Most intermediate CA certificates between the client certificate and the trust anchor (nginx's ssl_verify_depth).</summary>
    public int MaxChainDepth { get; set; } = 5;

    /// <summary>Largest DER size (bytes) of any certificate the client sends.</summary>
    public int MaxCertificateSize { get; set; } = 16 * 1024;

    /// <summary>Online: how long the first sight of an issuer may hold a handshake while its CRL is fetched.</summary>
    public TimeSpan RevocationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Online: folder (relative to the config file's) where fetched CRLs are kept across restarts; none by default.</summary>
    public string? CrlCacheFolder { get; set; }
}
