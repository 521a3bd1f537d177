using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Who a client certificate says it is, in the forms logs, allowlists and identity headers use.
/// Built from any certificate without throwing: parts that do not decode are empty.
/// </summary>
/// <param name="Subject">RFC 4514 DN, most specific RDN first ("CN=client,O=Acme,C=US").</param>
/// <param name="Issuer">Issuer DN in the same form.</param>
/// <param name="CommonName">The most specific CN of the subject, or null.</param>
/// <param name="SerialNumber">Upper-case hex, as <see cref="X509Certificate2.SerialNumber"/> gives it.</param>
/// <param name="Sha256">Upper-case hex SHA-256 of the DER (the XFCC Hash and the pin form).</param>
public sealed record CertificateIdentity(
    string Subject,
    string Issuer,
    string? CommonName,
    string SerialNumber,
    string Sha256,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> Uris)
{
    public static CertificateIdentity From(X509Certificate2 certificate) => From(certificate, sha256: null);

    /// <param name="certificate">The certificate.</param>
    /// <param name="sha256">Its <see cref="Fingerprints.Sha256"/>, when the caller has it already.</param>
    internal static CertificateIdentity From(X509Certificate2 certificate, string? sha256)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var (dns, uris) = SubjectAltNames.Read(certificate);
        return new CertificateIdentity(
            DistinguishedNames.Format(certificate.SubjectName),
            DistinguishedNames.Format(certificate.IssuerName),
            DistinguishedNames.CommonName(certificate.SubjectName),
            certificate.SerialNumber,
            sha256 ?? Fingerprints.Sha256(certificate),
            CertificateFacts.NotBefore(certificate),
            CertificateFacts.NotAfter(certificate),
            dns,
            uris);
    }
}
