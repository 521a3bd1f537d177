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
    public PolicyVerdict Evaluate(GatewayPolicy policy, X509Certificate2 certificate, X509Certificate2Collection? presentedChain) =>
        Evaluate(policy, certificate, presentedChain, out _);

    /// <summary>As above; <paramref name="validUntil"/> says how long the verdict may be reused for this certificate
    /// and policy (policy objects are replaced on reload, so a reload ends it too). <paramref name="identity"/> is the
    /// certificate's, when the caller has already read it.</summary>
    public PolicyVerdict Evaluate(
        GatewayPolicy policy, X509Certificate2 certificate, X509Certificate2Collection? presentedChain, out DateTimeOffset validUntil, CertificateIdentity? identity = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(certificate);
        var result = cache.GetOrVerify(certificate, presentedChain, policy.TrustStore, out validUntil);
        if (!result.IsValid)
        {
            return PolicyVerdict.Refuse(result.Reason ?? RejectReason.UntrustedIssuer, result.Hint ?? "certificate did not verify", result.ChainStatus);
        }

        identity ??= CertificateIdentity.From(certificate);
        if (!policy.Allow.Admits(identity))
        {
            return PolicyVerdict.Refuse(RejectReason.NotAllowed, policy.Allow.DescribeMismatch(identity, policy.Name), result.ChainStatus);
        }

        return PolicyVerdict.Admit(result.Warning);
    }
}
