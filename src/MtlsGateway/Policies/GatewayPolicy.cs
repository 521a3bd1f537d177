using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// A compiled policy: its mode, its partners (each a trust store and an allowlist; one, named after the policy, when
/// the policy is configured with TrustStore and Allow), which headers go upstream.
/// </summary>
public sealed record GatewayPolicy(
    string Name,
    PolicyMode Mode,
    IReadOnlyList<PolicyPartner> Partners,
    IdentityHeaderOptions Identity)
{
    /// <summary>A policy with one partner named after it: what TrustStore + Allow configure.</summary>
    public GatewayPolicy(string name, PolicyMode mode, TrustStore trustStore, Allowlist allow, IdentityHeaderOptions identity)
        : this(name, mode, [new PolicyPartner(name, trustStore, allow)], identity)
    {
    }

    /// <summary>The partners worth a chain build for a certificate (<see cref="PartnerIndex"/>).</summary>
    public PartnerIndex Candidates { get; } = new(Partners);

    /// <summary>The one partner of a policy configured with TrustStore and Allow, else null.</summary>
    public PolicyPartner? SolePartner => Partners.Count == 1 ? Partners[0] : null;

    /// <summary>The partners' trust stores, distinct, for events that concern the whole policy.</summary>
    public string TrustStoreNames { get; } = string.Join(", ", Partners.Select(p => p.TrustStore.Name).Distinct(StringComparer.Ordinal));

    /// <summary>Every distinct trust store of the partners, in partner order.</summary>
    public IEnumerable<TrustStore> TrustStores => Partners.Select(p => p.TrustStore).Distinct();

    /// <summary>RFC 8705 certificate-bound tokens every request must also carry; null when the policy asks for none.</summary>
    internal BoundTokens.BoundTokenPolicy? BoundToken { get; init; }

    /// <summary>A digest of the policy's configuration (and of the trust stores' configuration): equal across reloads
    /// that leave it alone, different once either changed. Routes carry it (<see cref="RoutePolicy"/>).</summary>
    public string Revision { get; init; } = string.Empty;

    /// <summary>Permissive policies only: whether a certificate that fails is refused or reported and admitted without identity.</summary>
    public InvalidCertificateHandling InvalidCertificate { get; init; }
}
