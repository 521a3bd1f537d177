namespace MtlsGateway.Configuration;

/// <summary>How a trust store checks revocation.</summary>
public enum RevocationCheck
{
    /// <summary>No revocation check.</summary>
    None,

    /// <summary>Only the CRL files named in the configuration.</summary>
    Offline,

    /// <summary>The CRL files first; else the CRLs named in the certificates' distribution points, fetched and cached by the gateway.</summary>
    Online,
}
