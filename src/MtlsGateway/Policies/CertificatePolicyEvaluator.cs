using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Decides whether a policy admits a client certificate: verified by the policy's trust store (through the
/// shared cache), then matched against its allowlist. The one code path behind the handshake check, the
/// request check and <c>mtls-gateway check</c>. A certificate it admits is shared with later handshakes presenting
/// the same bytes (<see cref="PresentedCertificateCache"/>).
/// </summary>
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
        var result = cache.GetOrVerify(presented, policy.TrustStore, out validUntil);
        if (result.Reason is not (null or RejectReason.PartialChain or RejectReason.UntrustedIssuer or RejectReason.BadSignature))
        {
            presentedCertificates.RememberChain(presented); // the chain reached an anchor: a resumed session may need it
        }

        if (!result.IsValid)
        {
            return PolicyVerdict.Refuse(result.Reason ?? RejectReason.UntrustedIssuer, result.Hint ?? "certificate did not verify", result.ChainStatus);
        }

        if (!policy.Allow.Admits(presented.Identity))
        {
            return PolicyVerdict.Refuse(RejectReason.NotAllowed, policy.Allow.DescribeMismatch(presented.Identity, policy.Name), result.ChainStatus);
        }

        presentedCertificates.Remember(presented);
        return PolicyVerdict.Admit(result.Warning);
    }
}
