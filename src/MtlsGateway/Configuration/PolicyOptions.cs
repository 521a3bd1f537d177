namespace MtlsGateway.Configuration;

/// <summary>A named policy: a mode, who may call (one trust store and allowlist, or several partners each with its
/// own), identity-header settings.</summary>
public sealed class PolicyOptions
{
    public PolicyMode? Mode { get; set; }

    /// <summary>With <see cref="Allow"/>: the policy's one partner, named after the policy. Not with <see cref="Partners"/>.</summary>
    public string? TrustStore { get; set; }

    /// <summary>Permissive only: <c>Report</c> admits a certificate that fails as no certificate, and says so [<c>Refuse</c>].</summary>
    public InvalidCertificateHandling InvalidCertificate { get; set; }

    public AllowOptions Allow { get; set; } = new();

    /// <summary>Partners by name, each verified by its own trust store and allowlist; instead of TrustStore and Allow.</summary>
    public Dictionary<string, PartnerOptions> Partners { get; set; } = new(StringComparer.Ordinal);

    public IdentityHeaderOptions Identity { get; set; } = new();

    /// <summary>When set, every request must also carry a JWT bound to the client certificate (RFC 8705).</summary>
    public BoundTokenOptions? BoundToken { get; set; }
}
