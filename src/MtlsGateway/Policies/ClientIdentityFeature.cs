using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>What the request check established: the admitting policy and, when verified, the client certificate with
/// its identity and the policy's partner that admitted it; <paramref name="Failure"/>, when a Permissive policy with
/// <c>InvalidCertificate: Report</c> admitted a certificate that failed, is the verdict Strict would have refused with.
/// The identity headers are written from this and from nothing the client sent.</summary>
public sealed record ClientIdentityFeature(GatewayPolicy Policy, PresentedCertificate? Verified, PolicyPartner? AdmittedBy = null, PolicyVerdict? Failure = null)
{
    public bool IsVerified => Verified is not null;

    /// <summary>The partner the certificate belongs to (its trust store and allowlist admitted it); null without a
    /// verified certificate. The identity for rate limits, the partner registry and <c>X-Client-Cert-Partner</c>.</summary>
    public string? Partner => AdmittedBy?.Name;
}
