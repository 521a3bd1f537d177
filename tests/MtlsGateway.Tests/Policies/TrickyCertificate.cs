using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Policies;

/// <summary>
/// Client certificates whose subject and SANs hold what a header must survive: quotes, commas, semicolons, equals
/// signs, backslashes, non-ASCII text and CR/LF. Built with <see cref="CertificateRequest"/> directly, because the
/// SAN builder refuses (or escapes) such names while a real CA can still sign them.
/// </summary>
internal static class TrickyCertificate
{
    public const string CommonName = "Zoë \"Q\", a;b=c\\d + 日本\r\nX-Injected: 1";
    public const string Organization = "Acme, Inc.; \"Ops\"=yes";

    public static readonly string[] DnsNames = ["plain.partner.test", "a,b;c=d\"e\\f.partner.test", "evil.test\r\nX-Injected: 1"];
    public static readonly string[] Uris = ["spiffe://acme.test/ns/a,b;c=d", "spiffe://acme.test/p%20q", "https://x.test/\"q\"\r\nX-Injected: 1"];

    /// <summary>Issues the tricky client certificate from <paramref name="issuer"/> (clientAuth, valid around now).</summary>
    public static IssuedCertificate Issue(IssuedCertificate issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("US");
        subject.AddOrganizationName(Organization);
        subject.AddCommonName(CommonName);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(Oids.ClientAuth)], critical: false));
        request.CertificateExtensions.Add(new X509Extension(Oids.SubjectAlternativeName, RawSan(), critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var generator = issuer.Key is RSA rsa
            ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
            : X509SignatureGenerator.CreateForECDsa((ECDsa)issuer.Key);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var now = DateTimeOffset.UtcNow;
        using var created = request.Create(issuer.Certificate.SubjectName, generator, now.AddHours(-1), now.AddDays(2), serial);
        return new IssuedCertificate(created.CopyWithPrivateKey(key), key);
    }

    /// <summary>SubjectAltName DER with IA5String names exactly as given (control characters included).</summary>
    private static byte[] RawSan()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var dns in DnsNames)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, dns, new Asn1Tag(TagClass.ContextSpecific, 2));
            }

            foreach (var uri in Uris)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }

        return writer.Encode();
    }
}
