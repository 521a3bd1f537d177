using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Policies;

/// <summary>What the request check established: the admitting policy and, when verified, the client certificate.
/// The identity headers are written from this and from nothing the client sent.</summary>
public sealed record ClientIdentityFeature(GatewayPolicy Policy, X509Certificate2? VerifiedCertificate)
{
    public bool IsVerified => VerifiedCertificate is not null;
}
