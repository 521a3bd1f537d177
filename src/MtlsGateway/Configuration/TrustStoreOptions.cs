namespace MtlsGateway.Configuration;

/// <summary>A named set of CA certificates, CRLs and pins that client certificates are verified against.</summary>
public sealed class TrustStoreOptions
{
    /// <summary>PEM files or folders of PEM files holding roots and intermediates.</summary>
    public List<string> CaFiles { get; set; } = [];

    /// <summary>CRL files (PEM or DER), one per issuing CA.</summary>
    public List<string> CrlFiles { get; set; } = [];

    public RevocationCheck Revocation { get; set; } = RevocationCheck.Offline;

    public RevocationFailureAction RevocationFailure { get; set; } = RevocationFailureAction.Deny;

    /// <summary>Widens the validity window on both ends.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>SHA-256 (hex) of certificates' DER. With no CaFiles, only these exact certificates are trusted.</summary>
    public List<string> Pins { get; set; } = [];
}
