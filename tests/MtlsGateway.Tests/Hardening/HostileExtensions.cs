using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Tests.Hardening;

/// <summary>Extensions .NET has no builder for, encoded by hand for hostile test certificates.</summary>
internal static class HostileExtensions
{
    /// <summary>An OID under a private arc nobody implements.</summary>
    public const string UnknownOid = "1.3.6.1.4.1.55555.1.1";

    public const string PaddingOid = "1.3.6.1.4.1.55555.1.2";

    /// <summary>An extension no verifier understands, marked critical: RFC 5280 4.2 says the certificate must be refused.</summary>
    public static X509Extension UnknownCritical() => new(UnknownOid, [0x05, 0x00], critical: true);

    /// <summary>A non-critical extension of <paramref name="bytes"/> zero bytes: makes a certificate as large as wanted.</summary>
    public static X509Extension Padding(int bytes)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(new byte[bytes]);
        return new X509Extension(PaddingOid, writer.Encode(), critical: false);
    }

    /// <summary>NameConstraints (RFC 5280 4.2.1.10), critical, permitting only DNS names under <paramref name="permittedDns"/>.</summary>
    public static X509Extension PermittedDnsSubtree(string permittedDns)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) // permittedSubtrees
            {
                using (writer.PushSequence()) // GeneralSubtree
                {
                    writer.WriteCharacterString(UniversalTagNumber.IA5String, permittedDns, new Asn1Tag(TagClass.ContextSpecific, 2)); // dNSName
                }
            }
        }

        return new X509Extension("2.5.29.30", writer.Encode(), critical: true);
    }
}
