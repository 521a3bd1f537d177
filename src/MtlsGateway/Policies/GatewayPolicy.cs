using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>A compiled policy: its mode, the trust store that verifies certificates, who is allowed, which headers go upstream.</summary>
public sealed record GatewayPolicy(
    string Name,
    PolicyMode Mode,
    TrustStore TrustStore,
    Allowlist Allow,
    IdentityHeaderOptions Identity);
