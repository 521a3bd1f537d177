using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtlsGateway.Identity;

/// <summary>
/// Which certificates a CRL speaks for, from its Issuing Distribution Point (RFC 5280 §5.2.5, §6.3.3 (b)).
/// A CRL scoped to CA certificates neither revokes nor clears a client certificate, and the reverse. When the IDP
/// names a distribution point, the CRL covers only certificates whose CRL Distribution Points name it too (a
/// certificate without that extension is not covered), as OpenSSL decides (<c>crl_crldp_check</c>). IDP features
/// the gateway does not support (indirect, reason-partitioned, attribute-certificate CRLs) refuse the CRL at parse.
/// </summary>
internal sealed class CrlScope
{
    public const string Oid = "2.5.29.28";
    private const string CrlDistributionPointsOid = "2.5.29.31";

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);

    private CrlScope(bool onlyUserCertificates, bool onlyCaCertificates, IReadOnlyList<byte[]> names)
    {
        OnlyUserCertificates = onlyUserCertificates;
        OnlyCaCertificates = onlyCaCertificates;
        DistributionPointNames = names;
    }

    /// <summary>No Issuing Distribution Point: every certificate of the issuer.</summary>
    public static CrlScope Complete { get; } = new(false, false, []);

    public bool OnlyUserCertificates { get; }

    public bool OnlyCaCertificates { get; }

    /// <summary>The IDP's distribution point: each GeneralName of a fullName (DER), or a whole nameRelativeToCRLIssuer.</summary>
    public IReadOnlyList<byte[]> DistributionPointNames { get; }

    /// <summary>Reads the extension's value. Throws <see cref="FormatException"/> (or <see cref="UnsupportedCrlException"/>).</summary>
    public static CrlScope Read(ReadOnlyMemory<byte> value)
    {
        var outer = new AsnReader(value, AsnEncodingRules.DER);
        var idp = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (!idp.HasData)
        {
            throw new FormatException($"Issuing Distribution Point ({Oid}) is an empty sequence, which RFC 5280 forbids");
        }

        IReadOnlyList<byte[]> names = [];
        if (idp.HasData && idp.PeekTag() == Context0)
        {
            var name = idp.ReadSequence(Context0);
            names = ReadDistributionPointName(name);
            name.ThrowIfNotEmpty();
        }

        var onlyUser = ReadFlag(idp, 1);
        var onlyCa = ReadFlag(idp, 2);
        if (idp.HasData && idp.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
        {
            throw new UnsupportedCrlException(
                $"CRLs partitioned by reason are not supported: its Issuing Distribution Point ({Oid}) sets onlySomeReasons, so it alone cannot show a certificate unrevoked; use the CA's CRL that covers all reasons",
                Oid);
        }

        if (ReadFlag(idp, 4))
        {
            throw new UnsupportedCrlException(
                $"indirect CRLs are not supported: its Issuing Distribution Point ({Oid}) sets indirectCRL; use the CRL issued by the certificates' own CA",
                Oid);
        }

        var onlyAttribute = ReadFlag(idp, 5);
        idp.ThrowIfNotEmpty();
        if ((onlyUser ? 1 : 0) + (onlyCa ? 1 : 0) + (onlyAttribute ? 1 : 0) > 1)
        {
            throw new FormatException($"Issuing Distribution Point ({Oid}) sets more than one of onlyContainsUserCerts, onlyContainsCACerts and onlyContainsAttributeCerts, which RFC 5280 forbids");
        }

        if (onlyAttribute)
        {
            throw new UnsupportedCrlException(
                $"its Issuing Distribution Point ({Oid}) sets onlyContainsAttributeCerts, so it covers no client or CA certificate; use the CA's CRL for public-key certificates",
                Oid);
        }

        return new CrlScope(onlyUser, onlyCa, names);
    }

    /// <summary>Null when the CRL covers <paramref name="certificate"/>; otherwise why not, and what would.</summary>
    public string? Exclusion(X509Certificate2 certificate)
    {
        var isCa = CertificateFacts.IsCertificateAuthority(certificate);
        if (OnlyUserCertificates && isCa)
        {
            return "covers only end-entity certificates (Issuing Distribution Point onlyContainsUserCerts); add the issuer's CRL for CA certificates (its ARL) to CrlFiles";
        }

        if (OnlyCaCertificates && !isCa)
        {
            return "covers only CA certificates (Issuing Distribution Point onlyContainsCACerts); add the issuer's CRL for end-entity certificates to CrlFiles";
        }

        if (DistributionPointNames.Count == 0)
        {
            return null;
        }

        var points = CertificateDistributionPoints(certificate);
        if (points.Any(p => p is null || p.Any(n => DistributionPointNames.Any(d => d.AsSpan().SequenceEqual(n)))))
        {
            return null;
        }

        var named = points.SelectMany(p => p ?? []).Select(Describe).ToList();
        return $"is the CRL of distribution point {string.Join(", ", DistributionPointNames.Select(Describe))} (Issuing Distribution Point), which the certificate's CRL Distribution Points "
            + (named.Count == 0 ? "do not name (it has none)" : $"({string.Join(", ", named)}) do not name")
            + "; add the CRL published at the certificate's own distribution point to CrlFiles";
    }

    /// <summary>The names of each of the certificate's distribution points (null: a point without a name, which matches any).</summary>
    private static List<List<byte[]>?> CertificateDistributionPoints(X509Certificate2 certificate)
    {
        var points = new List<List<byte[]>?>();
        if (certificate.Extensions[CrlDistributionPointsOid] is not { } extension)
        {
            return points;
        }

        try
        {
            var outer = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            while (sequence.HasData)
            {
                var point = sequence.ReadSequence();
                List<byte[]>? names = null;
                if (point.HasData && point.PeekTag() == Context0)
                {
                    names = ReadDistributionPointName(point.ReadSequence(Context0));
                }

                if (point.HasData && point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
                {
                    point.ReadEncodedValue(); // reasons: a complete CRL covers them all
                }

                // A point with cRLIssuer is served by an indirect CRL, which this CRL cannot be.
                if (!(point.HasData && point.PeekTag() == Context2))
                {
                    points.Add(names);
                }
            }
        }
        catch (AsnContentException)
        {
            points.Clear(); // malformed: it names nothing this CRL could match
        }

        return points;
    }

    private static List<byte[]> ReadDistributionPointName(AsnReader name)
    {
        var tag = name.PeekTag();
        if (tag == Context0)
        {
            var fullName = name.ReadSequence(Context0);
            var names = new List<byte[]>();
            while (fullName.HasData)
            {
                names.Add(fullName.ReadEncodedValue().ToArray());
            }

            return names;
        }

        if (tag == Context1)
        {
            return [name.ReadEncodedValue().ToArray()]; // nameRelativeToCRLIssuer: equal only to the same relative name
        }

        throw new AsnContentException($"distribution point name has unexpected tag {tag}");
    }

    private static bool ReadFlag(AsnReader reader, int tag)
    {
        var context = new Asn1Tag(TagClass.ContextSpecific, tag);
        return reader.HasData && reader.PeekTag().HasSameClassAndValue(context) && reader.ReadBoolean(context);
    }

    private static string Describe(byte[] name)
    {
        try
        {
            var tag = Asn1Tag.Decode(name, out _);
            var content = new AsnReader(name, AsnEncodingRules.DER);
            return (tag.TagClass, tag.TagValue, tag.IsConstructed) switch
            {
                (TagClass.ContextSpecific, 6, false) => Encoding.ASCII.GetString(content.ReadOctetString(tag)),
                (TagClass.ContextSpecific, 4, true) => DistinguishedNames.Format(new X500DistinguishedName(content.ReadSequence(tag).ReadEncodedValue().Span)),
                (TagClass.ContextSpecific, 1, true) => "(a name relative to the CRL issuer)",
                _ => $"(a name of type [{tag.TagValue}])",
            };
        }
        catch (Exception e) when (e is AsnContentException or System.Security.Cryptography.CryptographicException)
        {
            return "(an unreadable name)";
        }
    }
}
