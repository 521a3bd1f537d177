using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>One revoked certificate of a CRL: when, and the reasonCode entry extension if the CA gave one.</summary>
public readonly record struct CrlEntry(DateTimeOffset RevokedAt, X509RevocationReason? Reason);
