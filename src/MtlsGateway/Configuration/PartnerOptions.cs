namespace MtlsGateway.Configuration;

/// <summary>One partner of a policy: the trust store that verifies its certificates and the identities it may use.</summary>
public sealed class PartnerOptions
{
    public string? TrustStore { get; set; }

    public AllowOptions Allow { get; set; } = new();
}
