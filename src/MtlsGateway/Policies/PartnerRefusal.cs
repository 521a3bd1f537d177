using MtlsGateway.Diagnostics;

namespace MtlsGateway.Policies;

/// <summary>Why one partner of a policy did not admit a certificate, and how far it got (higher: more informative).</summary>
internal sealed record PartnerRefusal(PolicyPartner Partner, int Index, PartnerRefusalStage Stage, RejectReason Reason, string Hint, string? ChainStatus);

/// <summary>How far a certificate got with one partner; a refusal by nobody reports the partner that got furthest.</summary>
internal enum PartnerRefusalStage
{
    /// <summary>The chain reached none of the store's anchors (UntrustedIssuer, PartialChain, BadSignature).</summary>
    NotAnchored = 1,

    /// <summary>The chain reached the store's anchor and the certificate failed a check (Expired, Revoked, WrongUsage…).</summary>
    Anchored = 2,

    /// <summary>The store verified the certificate; the partner's allowlist does not list it (NotAllowed).</summary>
    Verified = 3,
}
