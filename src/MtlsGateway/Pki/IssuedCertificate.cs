using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Pki;

/// <summary>A certificate together with its private key, as authored by <see cref="CertificateAuthority"/>.</summary>
public sealed class IssuedCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key) : IDisposable
{
    /// <summary>The certificate, carrying its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    public AsymmetricAlgorithm Key { get; } = key;

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string KeyPem => Key.ExportPkcs8PrivateKeyPem();

    /// <summary>The certificate without its private key (what a peer sees).</summary>
    public X509Certificate2 PublicOnly() => X509CertificateLoader.LoadCertificate(Certificate.RawData);

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
