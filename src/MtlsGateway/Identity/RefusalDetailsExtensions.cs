using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity;

/// <summary>What a refusal says about the certificate it concerns.</summary>
internal static class RefusalDetailsExtensions
{
    /// <summary>Fills the <c>Cert*</c> fields from the presented leaf (never its key, never the whole certificate).
    /// The SAN lists are capped here, so a certificate with thousands of names costs ten per refusal.</summary>
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
            CertDns = RefusalFieldCaps.List(id.DnsNames),
            CertUris = RefusalFieldCaps.List(id.Uris),
        };
    }
}
