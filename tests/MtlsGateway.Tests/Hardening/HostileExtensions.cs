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

    /// <summary>DER that parses as no extension at all: a SEQUENCE announcing 3 content bytes and holding 2.</summary>
    public static byte[] Truncated { get; } = [0x30, 0x03, 0x02, 0x01];

    /// <summary>NameConstraints with the given encoded GeneralSubtrees; null leaves a list out, an empty array writes it empty.</summary>
    public static X509Extension NameConstraints(byte[][]? permitted, byte[][]? excluded, bool critical = true)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteSubtrees(writer, 0, permitted);
            WriteSubtrees(writer, 1, excluded);
        }

        return new X509Extension("2.5.29.30", writer.Encode(), critical);
    }

    /// <summary>A GeneralSubtree of <paramref name="generalName"/>, with a minimum when one is given (RFC 5280: it MUST be 0, and absent).</summary>
    public static byte[] Subtree(byte[] generalName, int? minimum = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(generalName);
            if (minimum is { } min)
            {
                writer.WriteInteger(min, new Asn1Tag(TagClass.ContextSpecific, 0));
            }
        }

        return writer.Encode();
    }

    public static byte[] Dns(string name) => Ia5(2, name);

    public static byte[] Email(string name) => Ia5(1, name);

    public static byte[] Uri(string name) => Ia5(6, name);

    /// <summary>iPAddress: 4 or 16 bytes in a SAN, address and mask (8 or 32 bytes) in a constraint.</summary>
    public static byte[] Ip(params byte[] octets)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(octets, new Asn1Tag(TagClass.ContextSpecific, 7));
        return writer.Encode();
    }

    public static byte[] DirectoryName(string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            writer.WriteEncodedValue(new X500DistinguishedName(name).RawData);
        }

        return writer.Encode();
    }

    public static byte[] RegisteredId(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid, new Asn1Tag(TagClass.ContextSpecific, 8));
        return writer.Encode();
    }

    /// <summary>A subjectAltName of the given encoded GeneralNames (none: an empty SEQUENCE, which RFC 5280 forbids).</summary>
    public static X509Extension SubjectAltName(bool critical, params byte[][] names)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var name in names)
            {
                writer.WriteEncodedValue(name);
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical);
    }

    private static void WriteSubtrees(AsnWriter writer, int tag, byte[][]? subtrees)
    {
        if (subtrees is null)
        {
            return;
        }

        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, isConstructed: true)))
        {
            foreach (var subtree in subtrees)
            {
                writer.WriteEncodedValue(subtree);
            }
        }
    }

    private static byte[] Ia5(int tag, string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.IA5String, value, new Asn1Tag(TagClass.ContextSpecific, tag));
        return writer.Encode();
    }
}
