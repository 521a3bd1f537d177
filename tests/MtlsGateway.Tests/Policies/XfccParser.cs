using System.Text;

namespace MtlsGateway.Tests.Policies;

/// <summary>
/// A parser for <c>x-forwarded-client-cert</c> written from Envoy's documentation, independent of the gateway's
/// encoder: the value is a ',' separated list of elements (one per proxy); an element is a ';' separated list of
/// <c>Key=Value</c> pairs, keys case-insensitive; a value holding ',', ';' or '=' is double-quoted, and inside
/// quotes a backslash escapes the next character (<c>\"</c>, <c>\\</c>).
/// </summary>
internal static class XfccParser
{
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Parse(string header)
    {
        return [.. Split(header, ',').Select(element => (IReadOnlyList<KeyValuePair<string, string>>)[.. Split(element, ';').Select(ParsePair)])];
    }

    /// <summary>Every value of <paramref name="key"/> in the element, in order.</summary>
    public static IReadOnlyList<string> Values(IReadOnlyList<KeyValuePair<string, string>> element, string key) =>
        [.. element.Where(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value)];

    private static KeyValuePair<string, string> ParsePair(string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new FormatException($"XFCC pair without a key: '{pair}'");
        }

        var key = pair[..equals].Trim();
        var raw = pair[(equals + 1)..];
        return new(key, UnquoteIfQuoted(raw));
    }

    /// <summary>An HTTP list (RFC 9110 5.6.1) of tokens or quoted-strings, as the gateway's part headers send SANs.</summary>
    public static IReadOnlyList<string> ParseList(string header) => [.. Split(header, ',').Select(item => UnquoteIfQuoted(item.Trim()))];

    private static string UnquoteIfQuoted(string raw) => raw.StartsWith('"') ? Unquote(raw) : raw;

    private static string Unquote(string quoted)
    {
        if (quoted.Length < 2 || !quoted.EndsWith('"'))
        {
            throw new FormatException($"unterminated quoted XFCC value: {quoted}");
        }

        var builder = new StringBuilder(quoted.Length);
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            var c = quoted[i];
            if (c == '"')
            {
                throw new FormatException($"unescaped quote inside an XFCC value: {quoted}");
            }

            if (c == '\\')
            {
                i++;
                c = quoted[i];
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Splits on <paramref name="separator"/> outside double quotes (a backslash inside quotes escapes).</summary>
    internal static List<string> Split(string value, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == separator && !quoted)
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }

        if (quoted)
        {
            throw new FormatException($"unterminated quote in '{value}'");
        }

        parts.Add(value[start..]);
        return parts;
    }
}
