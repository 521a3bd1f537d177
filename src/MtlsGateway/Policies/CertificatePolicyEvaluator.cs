using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Decides whether a policy admits a client certificate: verified by the policy's trust store (through the
/// shared cache), then matched against its allowlist. The one code path behind the handshake check, the
/// request check and <c>mtls-gateway check</c>.
/// </summary>
public sealed class CertificatePolicyEvaluator(VerificationCache cache)
{
    public PolicyVerdict Evaluate(GatewayPolicy policy, X509Certificate2 certificate, X509Certificate2Collection? presentedChain)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(certificate);
        var result = cache.GetOrVerify(certificate, presentedChain, policy.TrustStore);
        if (!result.IsValid)
        {
            return PolicyVerdict.Refuse(result.Reason ?? RejectReason.UntrustedIssuer, result.Hint ?? "certificate did not verify", result.ChainStatus);
        }

        var identity = CertificateIdentity.From(certificate);
        if (!policy.Allow.Admits(identity))
        {
            return PolicyVerdict.Refuse(RejectReason.NotAllowed, policy.Allow.DescribeMismatch(identity, policy.Name), result.ChainStatus);
        }

        return PolicyVerdict.Admit(result.Warning);
    }
}
