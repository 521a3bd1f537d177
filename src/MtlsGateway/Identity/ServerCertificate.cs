using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity;

/// <summary>A loaded server certificate (with key and chain) and the SNI names it serves.</summary>
public sealed record ServerCertificate(
    IReadOnlyList<HostPattern> Hosts,
    X509Certificate2 Certificate,
    X509Certificate2Collection Chain,
    bool IsDefault,
    string CertificateFile)
{
    public string Subject => Certificate.Subject;

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
}
