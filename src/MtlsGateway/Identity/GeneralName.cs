using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>The name forms of RFC 5280 4.2.1.6, numbered as their context tags.</summary>
internal enum GeneralNameForm
{
    OtherName = 0,
    Rfc822Name = 1,
    DnsName = 2,
    X400Address = 3,
    DirectoryName = 4,
    EdiPartyName = 5,
    Uri = 6,
    IpAddress = 7,
    RegisteredId = 8,
}

/// <summary>
/// One GeneralName of a SAN or a name constraint: <see cref="Text"/> for the IA5String forms and registeredID,
/// <see cref="Value"/> for the octets of an iPAddress and the DER of a directoryName.
/// </summary>
internal readonly record struct GeneralName(GeneralNameForm Form, string Text, ReadOnlyMemory<byte> Value)
{
    /// <summary>Reads one GeneralName; throws <see cref="AsnContentException"/> when it is not one.</summary>
    public static GeneralName Read(AsnReader reader)
    {
        var tag = reader.PeekTag();
        if (tag.TagClass != TagClass.ContextSpecific || tag.TagValue > (int)GeneralNameForm.RegisteredId)
        {
            throw new AsnContentException($"tag {tag} is not a GeneralName");
        }

        var form = (GeneralNameForm)tag.TagValue;
        switch (form)
        {
            case GeneralNameForm.Rfc822Name or GeneralNameForm.DnsName or GeneralNameForm.Uri:
                return new(form, reader.ReadCharacterString(UniversalTagNumber.IA5String, tag), default);
            case GeneralNameForm.IpAddress:
                return new(form, string.Empty, reader.ReadOctetString(tag));
            case GeneralNameForm.RegisteredId:
                return new(form, reader.ReadObjectIdentifier(tag), default);
            case GeneralNameForm.DirectoryName:
                var explicitName = reader.ReadSequence(tag);
                var name = explicitName.ReadEncodedValue();
                explicitName.ThrowIfNotEmpty();
                new AsnReader(name, AsnEncodingRules.DER).ReadSequence(); // a Name is a SEQUENCE of RDNs
                return new(form, string.Empty, name.ToArray());
            default:
                if (!tag.IsConstructed)
                {
                    throw new AsnContentException($"{form} must be constructed");
                }

                return new(form, string.Empty, reader.ReadEncodedValue().ToArray());
        }
    }

    /// <summary>A SEQUENCE OF GeneralName (SAN, AKI's issuer, CRL issuer), which RFC 5280 never allows empty.</summary>
    public static List<GeneralName> ReadAll(AsnReader sequence)
    {
        var names = new List<GeneralName>();
        while (sequence.HasData)
        {
            names.Add(Read(sequence));
        }

        return names.Count > 0 ? names : throw new AsnContentException("the list of names is empty");
    }

    public override string ToString() => Form switch
    {
        GeneralNameForm.DnsName => "DNS " + Text,
        GeneralNameForm.Rfc822Name => "email " + Text,
        GeneralNameForm.Uri => "URI " + Text,
        GeneralNameForm.RegisteredId => "registeredID " + Text,
        GeneralNameForm.IpAddress => "IP " + FormatIp(Value.Span),
        GeneralNameForm.DirectoryName => "DirName " + DistinguishedNames.Format(new X500DistinguishedName(Value.Span)),
        _ => Form.ToString(),
    };

    /// <summary>An address (4 or 16 bytes) or, in a constraint, address and mask (8 or 32 bytes) as <c>10.0.0.0/255.0.0.0</c>.</summary>
    private static string FormatIp(ReadOnlySpan<byte> octets) => octets.Length switch
    {
        4 or 16 => new IPAddress(octets).ToString(),
        8 or 32 => $"{new IPAddress(octets[..(octets.Length / 2)])}/{new IPAddress(octets[(octets.Length / 2)..])}",
        _ => Convert.ToHexString(octets),
    };
}
