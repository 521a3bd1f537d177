using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>Test seam over <see cref="CertificateVerifier"/> (the cache and the policy checks take this).</summary>
public interface ICertificateVerifier
{
    VerificationResult Verify(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset at);
}
