using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;

namespace MtlsGateway.Identity;

/// <summary>
/// Reads DNS and URI SANs straight from the extension's DER. <see cref="X509SubjectAlternativeNameExtension"/>
/// has no URI accessor and throws on the first malformed entry; this keeps whatever decoded before the damage.
/// </summary>
internal static class SubjectAltNames
{
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    public static (IReadOnlyList<string> DnsNames, IReadOnlyList<string> Uris) Read(X509Certificate2 certificate)
    {
        var dns = new List<string>();
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == Oids.SubjectAlternativeName)
            {
                ReadInto(extension.RawData, dns, uris);
            }
        }

        return (dns, uris);
    }

    private static void ReadInto(byte[] der, List<string> dns, List<string> uris)
    {
        try
        {
            var names = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(DnsNameTag))
                {
                    dns.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag));
                }
                else if (tag.HasSameClassAndValue(UriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            // A malformed SAN: keep the names read so far; the certificate may still be refused by the chain.
        }
    }
}
