using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>A compiled policy: its mode, the trust store that verifies certificates, who is allowed, which headers go upstream.</summary>
public sealed record GatewayPolicy(
    string Name,
    PolicyMode Mode,
    TrustStore TrustStore,
    Allowlist Allow,
    IdentityHeaderOptions Identity)
{
    /// <summary>Permissive policies only: whether a certificate that fails is refused or reported and admitted without identity.</summary>
    public InvalidCertificateHandling InvalidCertificate { get; init; }
}
