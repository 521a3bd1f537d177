namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Client certificates an attacker, a careless CA or an ancient toolchain produce. Each is built by <see cref="HostilePki"/>
/// under the development PKI and carries names the <c>acme-orders</c> allowlist admits, so it stands or falls on its one flaw.
/// </summary>
public enum HostileClient
{
    Rsa1024Key,
    Sha1Signature,
    Md5Signature,
    UnknownCriticalExtension,
    NameConstraintViolation,
    PathLengthViolation,
    IssuerNotCa,
    ServerAuthOnly,
    SanOnlyEmptySubject,
    ChainAtMaxDepth,
    ChainTooDeep,
    Oversized,
    OversizedBeyondTls,
    WrongIssuerKey,
}
