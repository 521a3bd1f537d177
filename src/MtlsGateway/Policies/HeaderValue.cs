using System.Text;

namespace MtlsGateway.Policies;

/// <summary>
/// Makes a certificate-derived string safe as a header value: printable ASCII passes, anything else (controls,
/// CR/LF, non-ASCII, and '%' itself) is percent-encoded as UTF-8, so the exact value is recoverable with one
/// URL-decode and can never break the header block.
/// </summary>
public static class HeaderValue
{
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.All(c => c is >= ' ' and <= '~' and not '%'))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)' ' and <= (byte)'~' and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
