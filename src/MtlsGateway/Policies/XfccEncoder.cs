using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Envoy's <c>x-forwarded-client-cert</c> element: <c>Hash=…;Subject="…";URI=…;DNS=…</c>. Quoted values escape
/// '\' and '"' with a backslash (Envoy's grammar); bytes a header cannot carry are percent-encoded first.
/// </summary>
public static class XfccEncoder
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuoting = System.Buffers.SearchValues.Create(",;=\"\\ ");

    public static string Encode(CertificateIdentity identity, X509Certificate2? includeCertificate)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var builder = new StringBuilder(256);
        builder.Append("Hash=").Append(identity.Sha256.ToLowerInvariant());
        if (includeCertificate is not null)
        {
            builder.Append(";Cert=\"").Append(Uri.EscapeDataString(includeCertificate.ExportCertificatePem())).Append('"');
        }

        builder.Append(";Subject=");
        AppendQuoted(builder, identity.Subject);
        foreach (var uri in identity.Uris)
        {
            builder.Append(";URI=");
            AppendValue(builder, uri);
        }

        foreach (var dns in identity.DnsNames)
        {
            builder.Append(";DNS=");
            AppendValue(builder, dns);
        }

        return builder.ToString();
    }

    private static void AppendValue(StringBuilder builder, string value)
    {
        // Unquoted values may not contain the element's own separators.
        if (value.AsSpan().ContainsAny(NeedsQuoting))
        {
            AppendQuoted(builder, value);
        }
        else
        {
            builder.Append(HeaderValue.Encode(value));
        }
    }

    private static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in HeaderValue.Encode(value))
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }
}
