using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// The OCSP responder URLs (id-ad-ocsp) of a certificate's Authority Information Access extension (RFC 5280 4.2.2.1).
/// Only <c>http://</c> URLs are asked: an OCSP answer is signed, so TLS adds nothing but a way to fail (and a loop when
/// the responder's own certificate needs checking); others are reported as ignored.
/// </summary>
internal sealed record OcspResponders(IReadOnlyList<string> HttpUrls, IReadOnlyList<string> Ignored, string? Problem)
{
    public const string Oid = "1.3.6.1.5.5.7.1.1";

    private static readonly OcspResponders None = new([], [], null);

    public static OcspResponders Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.Extensions[Oid] is not { } extension)
        {
            return None;
        }

        var http = new List<string>();
        var ignored = new List<string>();
        try
        {
            foreach (var url in new X509AuthorityInformationAccessExtension(extension.RawData, extension.Critical).EnumerateOcspUris())
            {
                (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && !string.IsNullOrEmpty(uri.Host) ? http : ignored).Add(url);
            }
        }
        catch (CryptographicException e)
        {
            return new OcspResponders([], [], $"its Authority Information Access extension is malformed ({e.Message})");
        }

        return new OcspResponders(http.Distinct(StringComparer.Ordinal).ToList(), ignored, null);
    }
}
