using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Whether the standard extensions path validation relies on parse as RFC 5280 defines them. The platform reads them
/// lazily and throws (or quietly ignores them) at the first damaged byte, so each is checked before anything reads it.
/// </summary>
internal static class ExtensionSyntax
{
    private static readonly Dictionary<string, (string Name, Action<AsnReader> Check)> Known = new(StringComparer.Ordinal)
    {
        ["2.5.29.19"] = ("basic constraints", BasicConstraints),
        ["2.5.29.15"] = ("key usage", KeyUsage),
        ["2.5.29.14"] = ("subject key identifier", r => r.ReadOctetString()),
        ["2.5.29.35"] = ("authority key identifier", AuthorityKeyIdentifier),
        ["2.5.29.37"] = ("extended key usage", ExtendedKeyUsage),
        ["2.5.29.17"] = ("subject alternative name", r => GeneralName.ReadAll(r.ReadSequence())),
        ["2.5.29.30"] = ("name constraints", r => NameConstraints.Read(r)),
        ["2.5.29.31"] = ("CRL distribution points", CrlDistributionPoints),
        ["1.3.6.1.5.5.7.1.1"] = ("authority information access", AuthorityInformationAccess),
    };

    /// <summary>The first known extension of <paramref name="certificate"/> that does not parse: its OID, name and what is wrong.</summary>
    public static (string Oid, string Name, string Problem)? FirstMalformed(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            var oid = extension.Oid?.Value ?? string.Empty;
            if (!Known.TryGetValue(oid, out var known))
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                known.Check(reader);
                reader.ThrowIfNotEmpty();
            }
            catch (AsnContentException e)
            {
                return (oid, known.Name, e.Message);
            }
        }

        return null;
    }

    private static void BasicConstraints(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            sequence.ReadBoolean();
        }

        if (sequence.HasData && sequence.ReadInteger() < 0)
        {
            throw new AsnContentException("pathLenConstraint is negative");
        }

        sequence.ThrowIfNotEmpty();
    }

    private static void KeyUsage(AsnReader reader)
    {
        if (reader.ReadBitString(out _).All(b => b == 0))
        {
            throw new AsnContentException("no usage bit is set (RFC 5280 4.2.1.3: at least one MUST be)");
        }
    }

    private static void AuthorityKeyIdentifier(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var issuer = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
        var serial = new Asn1Tag(TagClass.ContextSpecific, 2);
        if (sequence.HasData && sequence.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0))
        {
            sequence.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        }

        var hasIssuer = sequence.HasData && sequence.PeekTag() == issuer;
        if (hasIssuer)
        {
            GeneralName.ReadAll(sequence.ReadSequence(issuer));
        }

        var hasSerial = sequence.HasData && sequence.PeekTag() == serial;
        if (hasSerial)
        {
            sequence.ReadInteger(serial);
        }

        sequence.ThrowIfNotEmpty();
        if (hasIssuer != hasSerial)
        {
            throw new AsnContentException("authorityCertIssuer and authorityCertSerialNumber must be both present or both absent");
        }
    }

    private static void ExtendedKeyUsage(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        do
        {
            sequence.ReadObjectIdentifier();
        }
        while (sequence.HasData);
    }

    private static void CrlDistributionPoints(AsnReader reader)
    {
        var points = reader.ReadSequence();
        do
        {
            var point = points.ReadSequence();
            var named = false;
            if (point.HasData && point.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
            {
                var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                if (name.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
                {
                    GeneralName.ReadAll(name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)));
                }
                else
                {
                    name.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)).ReadEncodedValue();
                }

                name.ThrowIfNotEmpty();
                named = true;
            }

            if (point.HasData && point.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 1))
            {
                point.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 1));
            }

            if (point.HasData)
            {
                GeneralName.ReadAll(point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)));
                named = true;
            }

            point.ThrowIfNotEmpty();
            if (!named)
            {
                throw new AsnContentException("a distribution point names neither a location nor a CRL issuer");
            }
        }
        while (points.HasData);
    }

    private static void AuthorityInformationAccess(AsnReader reader)
    {
        var descriptions = reader.ReadSequence();
        do
        {
            var description = descriptions.ReadSequence();
            description.ReadObjectIdentifier();
            GeneralName.Read(description);
            description.ThrowIfNotEmpty();
        }
        while (descriptions.HasData);
    }
}
