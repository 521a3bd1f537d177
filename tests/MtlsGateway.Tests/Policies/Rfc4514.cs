using System.Globalization;
using System.Text;

namespace MtlsGateway.Tests.Policies;

/// <summary>A test-side RFC 4514 reader: a DN string back to its (type, value) pairs, most specific first.</summary>
internal static class Rfc4514
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string dn)
    {
        var attributes = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < dn.Length)
        {
            var equals = dn.IndexOf('=', i);
            var type = dn[i..equals];
            var bytes = new List<byte>();
            i = equals + 1;
            while (i < dn.Length && dn[i] is not (',' or '+'))
            {
                if (dn[i] == '\\')
                {
                    if (i + 2 < dn.Length && Uri.IsHexDigit(dn[i + 1]) && Uri.IsHexDigit(dn[i + 2]))
                    {
                        bytes.Add(byte.Parse(dn.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 3;
                        continue;
                    }

                    i++; // an escaped special character stands for itself
                }

                bytes.AddRange(Encoding.UTF8.GetBytes(dn[i].ToString()));
                i++;
            }

            attributes.Add(new(type, Encoding.UTF8.GetString([.. bytes])));
            i++; // past the separator
        }

        return attributes;
    }

    public static string Value(string dn, string type) => Parse(dn).First(a => a.Key == type).Value;
}
