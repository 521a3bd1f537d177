using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Decides whether a policy admits a client certificate: one of its partners' trust stores verifies it (through the
/// shared cache) and the same partner's allowlist matches it. Only partners whose store holds an issuer of the sent
/// chain are tried (<see cref="PartnerIndex"/>): those holding the leaf's issuer first, each group in policy order.
/// The one code path behind the handshake check, the request check and <c>mtls-gateway check</c>. A certificate it
/// admits is shared with later handshakes presenting the same bytes (<see cref="PresentedCertificateCache"/>).
/// </summary>
/// <remarks>A certificate no partner admits is refused with the verdict of the partner that got furthest (verified but
/// not allowed, then anchored but failing a check, then not anchored; ties in policy order), the hint naming each
/// partner involved, and the partners whose allowlist would have matched.</remarks>
public sealed class CertificatePolicyEvaluator(VerificationCache cache, PresentedCertificateCache presentedCertificates)
{
    public PolicyVerdict Evaluate(GatewayPolicy policy, PresentedCertificate presented) =>
        Evaluate(policy, presented, out _);

    /// <summary>As above; <paramref name="validUntil"/> says how long the verdict may be reused for this certificate
    /// and policy (policy objects are replaced on reload, so a reload ends it too).</summary>
    public PolicyVerdict Evaluate(GatewayPolicy policy, PresentedCertificate presented, out DateTimeOffset validUntil)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(presented);
        validUntil = DateTimeOffset.MaxValue;
        List<PartnerRefusal>? refusals = null;
        if (policy.SolePartner is { } sole)
        {
            // One partner: its store decides, whatever the issuer (its verifier names what is missing).
            return Try(policy, sole, 0, presented, ref validUntil, ref refusals)
                ?? Refusal(refusals![0], policy, presented.Identity, single: true);
        }

        foreach (var key in presented.IssuerKeys)
        {
            if (!policy.Candidates.TryGet(key, out var partners))
            {
                continue;
            }

            foreach (var partner in partners)
            {
                if (!Tried(refusals, partner) && Try(policy, partner, IndexOf(policy, partner), presented, ref validUntil, ref refusals) is { } admitted)
                {
                    return admitted;
                }
            }
        }

        foreach (var partner in policy.Candidates.Unindexed)
        {
            if (Try(policy, partner, IndexOf(policy, partner), presented, ref validUntil, ref refusals) is { } admitted)
            {
                return admitted;
            }
        }

        if (validUntil == DateTimeOffset.MaxValue)
        {
            validUntil = presented.Identity.NotAfter; // nothing was verified: only a reload (a new policy) changes the answer
        }

        return refusals is null ? NoCandidate(policy, presented) : Refusal(Furthest(refusals), policy, presented.Identity, single: false, refusals);
    }

    private PolicyVerdict? Try(
        GatewayPolicy policy, PolicyPartner partner, int index, PresentedCertificate presented, ref DateTimeOffset validUntil, ref List<PartnerRefusal>? refusals)
    {
        var result = cache.GetOrVerify(presented, partner.TrustStore, out var until);
        if (until < validUntil)
        {
            validUntil = until;
        }

        var anchored = result.Reason is not (null or RejectReason.PartialChain or RejectReason.UntrustedIssuer or RejectReason.BadSignature);
        if (anchored)
        {
            presentedCertificates.RememberChain(presented); // the chain reached an anchor: a resumed session may need it
        }

        if (!result.IsValid)
        {
            (refusals ??= []).Add(new PartnerRefusal(partner, index, anchored ? PartnerRefusalStage.Anchored : PartnerRefusalStage.NotAnchored,
                result.Reason ?? RejectReason.UntrustedIssuer, result.Hint ?? "certificate did not verify", result.ChainStatus));
            return null;
        }

        if (!partner.Allow.Admits(presented.Identity))
        {
            var hint = policy.SolePartner is null
                ? partner.Allow.DescribeMismatch(presented.Identity, policy.Name, partner.Name)
                : partner.Allow.DescribeMismatch(presented.Identity, policy.Name);
            (refusals ??= []).Add(new PartnerRefusal(partner, index, PartnerRefusalStage.Verified, RejectReason.NotAllowed, hint, result.ChainStatus));
            return null;
        }

        presentedCertificates.Remember(presented);
        return PolicyVerdict.Admit(partner, result.Warning);
    }

    private static PolicyVerdict Refusal(PartnerRefusal chosen, GatewayPolicy policy, CertificateIdentity identity, bool single, List<PartnerRefusal>? all = null)
    {
        var hint = single ? chosen.Hint : PartnerHints.Refused(policy, identity, chosen, all!);
        return PolicyVerdict.Refuse(chosen.Reason, hint, chosen.ChainStatus) with { Partner = chosen.Partner, TrustStore = chosen.Partner.TrustStore.Name };
    }

    /// <summary>No partner's store holds an issuer of the chain: no chain is built, the hint says whose stores were looked at.</summary>
    private static PolicyVerdict NoCandidate(GatewayPolicy policy, PresentedCertificate presented)
    {
        var leaf = presented.Leaf;
        var selfSigned = new[] { leaf }.Concat(presented.Chain).FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        var reason = selfSigned is null ? RejectReason.PartialChain : RejectReason.UntrustedIssuer;
        return PolicyVerdict.Refuse(reason, PartnerHints.NoPartnerHolds(policy, presented.Identity, selfSigned)) with { TrustStore = policy.TrustStoreNames };
    }

    private static PartnerRefusal Furthest(List<PartnerRefusal> refusals)
    {
        var best = refusals[0];
        foreach (var refusal in refusals)
        {
            if (refusal.Stage > best.Stage || (refusal.Stage == best.Stage && refusal.Index < best.Index))
            {
                best = refusal;
            }
        }

        return best;
    }

    private static bool Tried(List<PartnerRefusal>? refusals, PolicyPartner partner)
    {
        if (refusals is null)
        {
            return false;
        }

        foreach (var refusal in refusals)
        {
            if (ReferenceEquals(refusal.Partner, partner))
            {
                return true;
            }
        }

        return false;
    }

    private static int IndexOf(GatewayPolicy policy, PolicyPartner partner)
    {
        for (var i = 0; i < policy.Partners.Count; i++)
        {
            if (ReferenceEquals(policy.Partners[i], partner))
            {
                return i;
            }
        }

        return policy.Partners.Count;
    }
}
