using MtlsGateway.Identity;

namespace MtlsGateway.Diagnostics;

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

    /// <summary>The fields a client chooses (certificate names, SNI, Host) and those built from them (the hint, the
    /// chain status) within <see cref="RefusalFieldCaps"/>; names from the configuration and ids the gateway makes are
    /// left as they are. Applied once, before the refusal is counted, logged or kept.</summary>
    public static RefusalDetails Capped(this RefusalDetails details) => details with
    {
        Hint = RefusalFieldCaps.Truncate(details.Hint, RefusalFieldCaps.HintLength)!,
        Sni = RefusalFieldCaps.Truncate(details.Sni),
        Host = RefusalFieldCaps.Truncate(details.Host),
        CertSubject = RefusalFieldCaps.Truncate(details.CertSubject),
        CertIssuer = RefusalFieldCaps.Truncate(details.CertIssuer),
        CertSerial = RefusalFieldCaps.Truncate(details.CertSerial),
        CertSha256 = RefusalFieldCaps.Truncate(details.CertSha256),
        ChainStatus = RefusalFieldCaps.Truncate(details.ChainStatus),
    };
}
