using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// The URLs of a certificate's CRL Distribution Points extension (RFC 5280 4.2.1.13, OID 2.5.29.31). Only full names
/// that are <c>http://</c> URIs are fetched: ldap, https (a CRL is signed, so TLS adds nothing but a way to fail) and
/// file URLs are reported as ignored. A point naming a cRLIssuer (an indirect CRL) is ignored too: its list is not
/// signed by the certificate's issuer.
/// </summary>
internal sealed record CrlDistributionPoints(IReadOnlyList<string> HttpUrls, IReadOnlyList<string> Ignored, string? Problem)
{
    public const string Oid = "2.5.29.31";

    private static readonly Asn1Tag DistributionPointTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag FullNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag CrlIssuerTag = new(TagClass.ContextSpecific, 2, isConstructed: true);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    private static readonly CrlDistributionPoints None = new([], [], null);

    /// <summary>The points of <paramref name="certificate"/>; an unreadable extension gives no URL and a <see cref="Problem"/>.</summary>
    public static CrlDistributionPoints Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions[Oid] is { } extension ? Parse(extension.RawData) : None;
    }

    public static CrlDistributionPoints Parse(ReadOnlySpan<byte> extensionValue)
    {
        var http = new List<string>();
        var ignored = new List<string>();
        try
        {
            var points = new AsnReader(extensionValue.ToArray(), AsnEncodingRules.DER).ReadSequence();
            while (points.HasData)
            {
                var point = points.ReadSequence();
                var urls = new List<string>();
                var indirect = false;
                while (point.HasData)
                {
                    var tag = point.PeekTag();
                    if (tag.HasSameClassAndValue(DistributionPointTag))
                    {
                        var name = point.ReadSequence(DistributionPointTag);
                        if (name.HasData && name.PeekTag().HasSameClassAndValue(FullNameTag))
                        {
                            ReadUris(name.ReadSequence(FullNameTag), urls);
                        }
                        else
                        {
                            name.ReadEncodedValue(); // nameRelativeToCRLIssuer: no URL to fetch
                        }
                    }
                    else
                    {
                        indirect |= tag.HasSameClassAndValue(CrlIssuerTag);
                        point.ReadEncodedValue(); // reasons, cRLIssuer
                    }
                }

                foreach (var url in urls)
                {
                    (IsFetchable(url) && !indirect ? http : ignored).Add(url);
                }
            }
        }
        catch (AsnContentException e)
        {
            return new CrlDistributionPoints([], [], $"its CRL Distribution Points extension is malformed ({e.Message})");
        }

        return new CrlDistributionPoints(http.Distinct(StringComparer.Ordinal).ToList(), ignored, null);
    }

    private static void ReadUris(AsnReader names, List<string> urls)
    {
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(UriTag))
            {
                urls.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            }
            else
            {
                names.ReadEncodedValue(); // directoryName and other general names
            }
        }
    }

    private static bool IsFetchable(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && !string.IsNullOrEmpty(uri.Host);
}
