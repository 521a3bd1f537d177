using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtlsGateway.Identity;

namespace MtlsGateway.Proxying;

/// <summary>
/// One element of Envoy's <c>x-forwarded-client-cert</c>: <c>Hash=…;Cert="…";Subject="…";URI=…;DNS=…</c>, keys in
/// Envoy's order. Envoy's grammar: pairs separated by ';', a value holding ',', ';' or '=' is double-quoted, and a
/// '"' inside quotes is written <c>\"</c>; we also write '\' as <c>\\</c> so the escape itself is unambiguous
/// (a subject in RFC 4514 form is full of backslashes).
/// </summary>
internal static class XfccEncoder
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuoting = System.Buffers.SearchValues.Create(",;=\"\\ ");

    public static string Encode(CertificateIdentity identity, X509Certificate2? includeCertificate)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var builder = new StringBuilder(256);

        // Envoy: "The SHA 256 digest of the current client certificate", as lower-case hex.
        builder.Append("Hash=").Append(identity.Sha256.ToLowerInvariant());
        if (includeCertificate is not null)
        {
            // URL-encoded PEM, quoted as Envoy sends it; the encoding leaves no character that needs escaping.
            builder.Append(";Cert=");
            HeaderValue.AppendQuoted(builder, Uri.EscapeDataString(includeCertificate.ExportCertificatePem()));
        }

        // Envoy: "The value is always double-quoted."
        builder.Append(";Subject=");
        HeaderValue.AppendQuoted(builder, HeaderValue.DistinguishedName(identity.Subject));
        foreach (var uri in identity.Uris)
        {
            builder.Append(";URI=");
            AppendValue(builder, HeaderValue.Name(uri));
        }

        foreach (var dns in identity.DnsNames)
        {
            builder.Append(";DNS=");
            AppendValue(builder, HeaderValue.Name(dns));
        }

        return builder.ToString();
    }

    private static void AppendValue(StringBuilder builder, string value)
    {
        if (value.Length == 0 || value.AsSpan().ContainsAny(NeedsQuoting))
        {
            HeaderValue.AppendQuoted(builder, value);
        }
        else
        {
            builder.Append(value);
        }
    }
}
