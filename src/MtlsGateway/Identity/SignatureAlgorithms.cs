using System.Collections.Frozen;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Names certificate signature algorithms the way .NET and Windows tools print them (<c>sha1RSA</c>, <c>sha256ECDSA</c>),
/// so hints and the <c>AllowedSignatureAlgorithms</c> setting use the words ops already see. RSA-PSS carries its hash
/// in parameters, not in the OID, so it is named from them: <c>sha256RSAPSS</c>.
/// </summary>
internal static class SignatureAlgorithms
{
    public const string RsaPssOid = "1.2.840.113549.1.1.10";

    /// <summary>SHA-2 with RSA PKCS#1 v1.5, RSA-PSS or ECDSA: never SHA-1 or MD5.</summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        "sha256RSA", "sha384RSA", "sha512RSA",
        "sha256RSAPSS", "sha384RSAPSS", "sha512RSAPSS",
        "sha256ECDSA", "sha384ECDSA", "sha512ECDSA",
    ];

    private static readonly FrozenDictionary<string, string> NamesByOid = new Dictionary<string, string>
    {
        ["1.2.840.113549.1.1.4"] = "md5RSA",
        ["1.2.840.113549.1.1.5"] = "sha1RSA",
        ["1.2.840.113549.1.1.14"] = "sha224RSA",
        ["1.2.840.113549.1.1.11"] = "sha256RSA",
        ["1.2.840.113549.1.1.12"] = "sha384RSA",
        ["1.2.840.113549.1.1.13"] = "sha512RSA",
        ["1.2.840.10045.4.1"] = "sha1ECDSA",
        ["1.2.840.10045.4.3.1"] = "sha224ECDSA",
        ["1.2.840.10045.4.3.2"] = "sha256ECDSA",
        ["1.2.840.10045.4.3.3"] = "sha384ECDSA",
        ["1.2.840.10045.4.3.4"] = "sha512ECDSA",
        ["1.2.840.10040.4.3"] = "sha1DSA",
        ["2.16.840.1.101.3.4.3.2"] = "sha256DSA",
        ["1.3.101.112"] = "Ed25519",
        ["1.3.101.113"] = "Ed448",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> HashNames = new Dictionary<string, string>
    {
        ["1.2.840.113549.2.5"] = "md5",
        ["1.3.14.3.2.26"] = "sha1",
        ["2.16.840.1.101.3.4.2.4"] = "sha224",
        ["2.16.840.1.101.3.4.2.1"] = "sha256",
        ["2.16.840.1.101.3.4.2.2"] = "sha384",
        ["2.16.840.1.101.3.4.2.3"] = "sha512",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every name a setting may use (besides a dotted OID).</summary>
    public static IEnumerable<string> KnownNames =>
        NamesByOid.Values.Concat(HashNames.Values.Select(h => h + "RSAPSS")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>The canonical spelling of a configured entry (a known name in any case, or an OID), or null when it is neither.</summary>
    public static string? Normalize(string? entry)
    {
        var trimmed = entry?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (NamesByOid.TryGetValue(trimmed, out var named))
        {
            return named;
        }

        var known = KnownNames.FirstOrDefault(n => string.Equals(n, trimmed, StringComparison.OrdinalIgnoreCase));
        return known ?? (IsOid(trimmed) ? trimmed : null);
    }

    /// <summary>The name of the algorithm the certificate's issuer signed it with; its OID when unnamed.</summary>
    public static string NameOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var oid = certificate.SignatureAlgorithm.Value ?? string.Empty;
        if (NamesByOid.TryGetValue(oid, out var name))
        {
            return name;
        }

        return oid == RsaPssOid ? PssName(certificate.RawData) : oid;
    }

    /// <summary>RSASSA-PSS-params (RFC 4055): hashAlgorithm [0] defaults to SHA-1, maskGenAlgorithm [1] to MGF1 with SHA-1.</summary>
    private static string PssName(byte[] der)
    {
        try
        {
            var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            certificate.ReadEncodedValue(); // tbsCertificate
            var algorithm = certificate.ReadSequence();
            algorithm.ReadObjectIdentifier();
            var hash = "sha1";
            var mgfHash = "sha1";
            if (algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var parameters = algorithm.ReadSequence();
                if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    hash = HashName(parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence().ReadObjectIdentifier());
                }

                if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
                {
                    var mgf = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
                    mgf.ReadObjectIdentifier(); // id-mgf1
                    mgfHash = HashName(mgf.ReadSequence().ReadObjectIdentifier());
                }
            }

            // A mask function hashed differently from the message is legal but odd: name it, so no default admits it.
            return mgfHash == hash ? $"{hash}RSAPSS" : $"{hash}RSAPSS-mgf1{mgfHash}";
        }
        catch (AsnContentException)
        {
            return RsaPssOid;
        }
    }

    private static string HashName(string oid) => HashNames.TryGetValue(oid, out var name) ? name : oid;

    private static bool IsOid(string text) =>
        text.Contains('.', StringComparison.Ordinal) && text.All(c => char.IsAsciiDigit(c) || c == '.') && !text.StartsWith('.') && !text.EndsWith('.') && !text.Contains("..", StringComparison.Ordinal);
}
