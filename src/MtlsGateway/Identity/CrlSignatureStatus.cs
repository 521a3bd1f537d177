namespace MtlsGateway.Identity;

/// <summary>Outcome of checking a CRL against a candidate issuing CA.</summary>
public enum CrlSignatureStatus
{
    Valid,

    /// <summary>The CRL's issuer name is not the CA's subject.</summary>
    IssuerMismatch,

    /// <summary>The CA's key did not produce the signature (another key, or the list was altered).</summary>
    BadSignature,

    /// <summary>The signature algorithm is not one the gateway verifies (e.g. SHA-1).</summary>
    UnsupportedAlgorithm,

    /// <summary>The CA's key usage does not include cRLSign.</summary>
    NotCrlSigner,
}
