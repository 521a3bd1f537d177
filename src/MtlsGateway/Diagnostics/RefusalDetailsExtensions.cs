using MtlsGateway.Identity;

namespace MtlsGateway.Diagnostics;

internal static class RefusalDetailsExtensions
{
    /// <summary>Fills the <c>Cert*</c> fields from the presented leaf (never its key, never the whole certificate).</summary>
    public static RefusalDetails WithCertificate(this RefusalDetails details, CertificateIdentity? id)
    {
        if (id is null)
        {
            return details;
        }

        return details with
        {
            CertSubject = id.Subject,
            CertIssuer = id.Issuer,
            CertSerial = id.SerialNumber,
            CertSha256 = id.Sha256,
            CertNotBefore = id.NotBefore,
            CertNotAfter = id.NotAfter,
            CertDns = id.DnsNames.Count == 0 ? null : string.Join(",", id.DnsNames),
            CertUris = id.Uris.Count == 0 ? null : string.Join(",", id.Uris),
        };
    }
}
