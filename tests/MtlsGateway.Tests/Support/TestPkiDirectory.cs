using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Support;

/// <summary>Issues extra certificates from a development PKI written by <c>DevPki</c> (its issuing CA's key is in the folder).</summary>
internal sealed class TestPkiDirectory(string folder) : IDisposable
{
    private readonly IssuedCertificate _issuer = Load(folder, "partners-intermediate");

    public IssuedCertificate Intermediate => _issuer;

    public static IssuedCertificate Load(string folder, string name)
    {
        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(folder, name + ".crt"), Path.Combine(folder, name + ".key"));
        return new IssuedCertificate(certificate, (System.Security.Cryptography.AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!);
    }

    /// <summary>Issues a client certificate under the partners' issuing CA, writes it as <c>name.crt</c>/<c>.key</c>
    /// (leaf then intermediate) and returns it ready for a TLS client.</summary>
    public SslStreamCertificateContext IssueClient(string name, string subject, Func<CertificateSpec, CertificateSpec>? edit = null)
    {
        var now = DateTimeOffset.UtcNow;
        var spec = new CertificateSpec { Subject = subject, NotBefore = now.AddHours(-1), NotAfter = now.AddDays(30) };
        var issued = CertificateAuthority.Issue(_issuer, edit?.Invoke(spec) ?? spec);
        File.WriteAllText(Path.Combine(folder, name + ".crt"), issued.CertificatePem + "\n" + _issuer.CertificatePem + "\n");
        File.WriteAllText(Path.Combine(folder, name + ".key"), issued.KeyPem + "\n");
        return SslStreamCertificateContext.Create(issued.Certificate, [_issuer.PublicOnly()], offline: true);
    }

    public void Dispose() => _issuer.Dispose();
}
