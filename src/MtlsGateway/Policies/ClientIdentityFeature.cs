using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>What the request check established: the admitting policy and, when verified, the client certificate with
/// its identity. The identity headers are written from this and from nothing the client sent.</summary>
public sealed record ClientIdentityFeature(GatewayPolicy Policy, PresentedCertificate? Verified)
{
    public bool IsVerified => Verified is not null;
}
