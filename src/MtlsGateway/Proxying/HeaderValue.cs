using System.Globalization;
using System.Text;

namespace MtlsGateway.Proxying;

/// <summary>
/// Makes certificate-derived strings safe as header values. Every output is printable ASCII (0x20-0x7E), so no
/// certificate can add a line, a header or a byte a proxy or backend would mangle, and each form has a
/// documented inverse (docs/identity-headers.md).
/// </summary>
internal static class HeaderValue
{
    private static readonly System.Buffers.SearchValues<char> ListSpecials = System.Buffers.SearchValues.Create(",\"\\ ");

    /// <summary>
    /// A DNS or URI SAN (IA5String: ASCII). Such names never legitimately hold control characters; when a
    /// certificate carries one anyway (a CR/LF injection attempt) it is percent-encoded as RFC 3986 writes it.
    /// '%' itself is left alone, so a URI's own percent-escapes reach the backend unchanged.
    /// </summary>
    public static string Name(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsPrintableAscii(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= 0x20 and <= 0x7E)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// An RFC 4514 distinguished name in ASCII: every character outside printable ASCII becomes RFC 4514 hex pairs
    /// of its UTF-8 bytes (<c>Zoë</c> → <c>Zo\C3\AB</c>), as OpenSSL (and so Envoy) print RFC 2253 names. A DN parser
    /// recovers the exact value; a trailing space (which HTTP would strip) is written <c>\20</c>.
    /// </summary>
    public static string DistinguishedName(string rfc4514)
    {
        ArgumentNullException.ThrowIfNull(rfc4514);
        var ascii = rfc4514;
        if (!IsPrintableAscii(rfc4514))
        {
            var builder = new StringBuilder(rfc4514.Length + 16);
            Span<byte> utf8 = stackalloc byte[4];
            foreach (var rune in rfc4514.EnumerateRunes())
            {
                if (rune.Value is >= 0x20 and <= 0x7E)
                {
                    builder.Append((char)rune.Value);
                    continue;
                }

                var length = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < length; i++)
                {
                    builder.Append('\\').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            ascii = builder.ToString();
        }

        // RFC 4514 writes a trailing space as "\ "; HTTP trims trailing whitespace from field values.
        if (ascii.EndsWith(' '))
        {
            ascii = ascii.EndsWith("\\ ", StringComparison.Ordinal) ? ascii[..^2] + "\\20" : ascii[..^1] + "\\20";
        }

        return ascii;
    }

    /// <summary>
    /// An HTTP list (RFC 9110 section 5.6.1) of SANs: items joined by ',', an item holding ',', '"', '\' or a space
    /// written as a quoted-string with '"' and '\' backslash-escaped, so a list parser recovers every item.
    /// </summary>
    public static string List(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            var item = Name(values[i]);
            if (item.Length > 0 && !item.AsSpan().ContainsAny(ListSpecials))
            {
                builder.Append(item);
            }
            else
            {
                AppendQuoted(builder, item);
            }
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="value"/> in double quotes, with '"' and '\' escaped by a backslash.</summary>
    public static void AppendQuoted(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        builder.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
