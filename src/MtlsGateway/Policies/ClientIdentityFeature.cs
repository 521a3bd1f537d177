using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>What the request check established: the admitting policy and, when verified, the client certificate with
/// its identity; <paramref name="Failure"/>, when a Permissive policy with <c>InvalidCertificate: Report</c> admitted a
/// certificate that failed, is the verdict Strict would have refused with. The identity headers are written from this and
/// from nothing the client sent.</summary>
public sealed record ClientIdentityFeature(GatewayPolicy Policy, PresentedCertificate? Verified, PolicyVerdict? Failure = null)
{
    public bool IsVerified => Verified is not null;
}
