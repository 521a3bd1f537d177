using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtlsGateway.Identity;

/// <summary>
/// RFC 4514 (RFC 2253) strings for X.500 names: most specific RDN first ("CN=client,O=Acme,C=US"),
/// special characters backslash-escaped. .NET's own <see cref="X500DistinguishedName.Name"/> quotes
/// values instead of escaping and separates with ", ", which is not what backends parsing XFCC expect.
/// </summary>
internal static class DistinguishedNames
{
    private const string CommonNameOid = "2.5.4.3";

    // RFC 4514 section 3 names, plus the two OpenSSL also prints by name in RFC 2253 mode.
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        [CommonNameOid] = "CN",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.6"] = "C",
        ["2.5.4.9"] = "STREET",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        ["2.5.4.5"] = "serialNumber",
        ["1.2.840.113549.1.9.1"] = "emailAddress",
    };

    /// <summary>The RFC 4514 string; for a name that does not decode, .NET's rendering rather than an exception.</summary>
    public static string Format(X500DistinguishedName name)
    {
        try
        {
            return string.Join(',', ReadRdns(name.RawData).Select(rdn => string.Join('+', rdn.Select(FormatAttribute))));
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return name.Name;
        }
    }

    /// <summary>The most specific CN, or null when there is none (or the name does not decode).</summary>
    public static string? CommonName(X500DistinguishedName name)
    {
        try
        {
            return ReadRdns(name.RawData).SelectMany(rdn => rdn)
                .Where(a => a.Oid == CommonNameOid && a.Text is not null)
                .Select(a => a.Text)
                .FirstOrDefault();
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Every value of attribute <paramref name="oid"/> that reads as text, multi-valued RDNs included; none if the name does not decode.</summary>
    public static IReadOnlyList<string> Values(X500DistinguishedName name, string oid)
    {
        try
        {
            return ReadRdns(name.RawData).SelectMany(rdn => rdn).Where(a => a.Oid == oid && a.Text is not null).Select(a => a.Text!).ToList();
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return [];
        }
    }

    /// <summary>RDNs most specific first (the reverse of their DER order), each with its attributes in DER order.</summary>
    private static List<List<Attribute>> ReadRdns(byte[] der)
    {
        var rdns = new List<List<Attribute>>();
        if (der.Length == 0)
        {
            return rdns;
        }

        var sequence = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        while (sequence.HasData)
        {
            var set = sequence.ReadSetOf(skipSortOrderValidation: true);
            var attributes = new List<Attribute>();
            while (set.HasData)
            {
                var pair = set.ReadSequence();
                var oid = pair.ReadObjectIdentifier();
                var encoded = pair.ReadEncodedValue().ToArray();
                attributes.Add(new Attribute(oid, encoded, TryReadText(encoded)));
            }

            rdns.Add(attributes);
        }

        rdns.Reverse();
        return rdns;
    }

    private static string? TryReadText(byte[] encoded)
    {
        try
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.BER);
            var tag = reader.PeekTag();
            if (tag.TagClass != TagClass.Universal)
            {
                return null;
            }

            return (UniversalTagNumber)tag.TagValue switch
            {
                UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
                    or UniversalTagNumber.BMPString or UniversalTagNumber.T61String or UniversalTagNumber.UniversalString
                    or UniversalTagNumber.NumericString or UniversalTagNumber.VisibleString
                    => reader.ReadCharacterString((UniversalTagNumber)tag.TagValue),
                _ => null,
            };
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static string FormatAttribute(Attribute attribute)
    {
        // RFC 4514 2.3/2.4: a type without a short name is written as its OID with the value as #hex of its BER.
        if (!ShortNames.TryGetValue(attribute.Oid, out var type) || attribute.Text is null)
        {
            return $"{type ?? attribute.Oid}=#{Convert.ToHexString(attribute.Encoded)}";
        }

        return $"{type}={Escape(attribute.Text)}";
    }

    /// <summary>RFC 4514 section 2.4 escaping; control characters as \XX so a header never carries raw bytes.</summary>
    internal static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var special = c is '"' or '+' or ',' or ';' or '<' or '>' or '\\'
                || (i == 0 && c is '#' or ' ')
                || (i == value.Length - 1 && c == ' ');
            if (special)
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    builder.Append('\\').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private sealed record Attribute(string Oid, byte[] Encoded, string? Text);

    /// <summary>The form a name is looked up by (partners by their CAs' subjects, certificates by their issuers):
    /// <see cref="Format"/> without white space.</summary>
    public static string LookupKey(X500DistinguishedName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var formatted = DistinguishedNames.Format(name);
        return formatted.Any(char.IsWhiteSpace) ? string.Concat(formatted.Where(c => !char.IsWhiteSpace(c))) : formatted;
    }
}
