namespace MtlsGateway.Diagnostics;

/// <summary>
/// Why a handshake or a request was refused. The member names are the contract's <c>Reason</c>
/// values (GATEWAY.md, "Logs"): ops search logs and metrics for them, so never rename one.
/// </summary>
public enum RejectReason
{
    NoCertificate,
    UntrustedIssuer,
    PartialChain,
    Expired,
    NotYetValid,
    Revoked,
    RevocationUnknown,
    WrongUsage,
    NotAllowed,
    BadSignature,
    HostMismatch,
    PlaintextNotAllowed,
    ProtocolMismatch,
    HandshakeTimeout,
    MalformedClientHello,
    UnknownHost,
    UpgradeNotAllowed,
    RateLimited,
    TokenInvalid,
    TokenNotBound,
}
