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
    /// <summary>RFC 8705 certificate-bound tokens every request must also carry; null when the policy asks for none.</summary>
    internal BoundTokens.BoundTokenPolicy? BoundToken { get; init; }
}
