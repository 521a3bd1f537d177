using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Policies;

/// <summary>What the request check established: the admitting policy and, when verified, the client certificate and
/// its identity (read once per connection).
/// The identity headers are written from this and from nothing the client sent.</summary>
public sealed record ClientIdentityFeature(GatewayPolicy Policy, X509Certificate2? VerifiedCertificate, Identity.CertificateIdentity? Identity = null)
{
    public bool IsVerified => VerifiedCertificate is not null;
}
