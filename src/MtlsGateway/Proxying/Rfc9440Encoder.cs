using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtlsGateway.Proxying;

/// <summary>
/// RFC 9440 values: a certificate's DER as an RFC 8941 structured-field byte sequence (<c>:</c>base64<c>:</c>, standard
/// alphabet with padding) and the chain as a list of them (<c>, </c> between members), in the order the client sent it.
/// </summary>
internal static class Rfc9440Encoder
{
    public static string ByteSequence(ReadOnlySpan<byte> der) => string.Concat(":", Convert.ToBase64String(der), ":");

    public static string List(X509Certificate2Collection chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var text = new StringBuilder();
        foreach (var certificate in chain)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(':').Append(Convert.ToBase64String(certificate.RawDataMemory.Span)).Append(':');
        }

        return text.ToString();
    }
}
