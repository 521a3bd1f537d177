namespace MtlsGateway.Configuration;

/// <summary>A named policy: a mode, a trust store, an allowlist, identity-header settings.</summary>
public sealed class PolicyOptions
{
    public PolicyMode? Mode { get; set; }

    public string? TrustStore { get; set; }

    /// <summary>Permissive only: <c>Report</c> admits a certificate that fails as no certificate, and says so [<c>Refuse</c>].</summary>
    public InvalidCertificateHandling InvalidCertificate { get; set; }

    public AllowOptions Allow { get; set; } = new();

    public IdentityHeaderOptions Identity { get; set; } = new();
}
