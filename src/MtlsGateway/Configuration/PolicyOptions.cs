namespace MtlsGateway.Configuration;

/// <summary>A named policy: a mode, a trust store, an allowlist, identity-header settings.</summary>
public sealed class PolicyOptions
{
    public PolicyMode? Mode { get; set; }

    public string? TrustStore { get; set; }

    public AllowOptions Allow { get; set; } = new();

    public IdentityHeaderOptions Identity { get; set; } = new();

    /// <summary>When set, every request must also carry a JWT bound to the client certificate (RFC 8705).</summary>
    public BoundTokenOptions? BoundToken { get; set; }
}
