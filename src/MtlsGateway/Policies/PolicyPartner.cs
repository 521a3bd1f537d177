using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// One partner of a compiled policy: a certificate is this partner's when this trust store verifies it and this
/// allowlist admits it, both. A policy configured with TrustStore and Allow has one partner, named after the policy.
/// Replaced with its policy on every reload.
/// </summary>
public sealed class PolicyPartner(string name, TrustStore trustStore, Allowlist allow)
{
    public string Name { get; } = name;

    public TrustStore TrustStore { get; } = trustStore;

    public Allowlist Allow { get; } = allow;

    public override string ToString() => Name;
}
