namespace MtlsGateway.Configuration;

/// <summary>Identities a policy admits. Entries are alternatives; all lists empty admits every verified certificate.</summary>
public sealed class AllowOptions
{
    public List<string> CommonNames { get; set; } = [];

    /// <summary>DNS SANs; <c>*</c> matches exactly one label.</summary>
    public List<string> DnsNames { get; set; } = [];

    /// <summary>URI SANs (SPIFFE IDs); a pattern ending in <c>/*</c> matches any path below.</summary>
    public List<string> Uris { get; set; } = [];

    /// <summary>SHA-256 (hex) of the certificate's DER.</summary>
    public List<string> Sha256 { get; set; } = [];

    public bool IsEmpty => CommonNames.Count == 0 && DnsNames.Count == 0 && Uris.Count == 0 && Sha256.Count == 0;
}
