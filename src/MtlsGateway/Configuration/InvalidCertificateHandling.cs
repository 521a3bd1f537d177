namespace MtlsGateway.Configuration;

/// <summary>What a Permissive policy does with a presented certificate that fails verification (GATEWAY.md, "Modes").</summary>
public enum InvalidCertificateHandling
{
    /// <summary>Refused like on a Strict policy (the default).</summary>
    Refuse,

    /// <summary>Admitted as if no certificate had been sent, with <c>X-Client-Cert-Verified: FAILED</c>, its Reason in
    /// <c>X-Client-Cert-Failure</c> and a <c>CertificateReported</c> event: the report of a Permissive → Strict migration.</summary>
    Report,
}
