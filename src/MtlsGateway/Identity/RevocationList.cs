using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtlsGateway.Identity;

/// <summary>
/// A parsed X.509 CRL (RFC 5280 5.1). .NET has no public CRL type (see NOTES Q6): the builder's loader hides
/// the entries and checks no signature, so the gateway reads the DER itself and verifies the signature
/// against the issuing CA before a list is trusted (<see cref="BoundTo"/>).
/// </summary>
public sealed class RevocationList
{
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly ReadOnlyMemory<byte>? _signatureParameters;
    private readonly Dictionary<string, DateTimeOffset> _revoked;

    private RevocationList(
        byte[] raw,
        byte[] tbs,
        string signatureAlgorithm,
        ReadOnlyMemory<byte>? signatureParameters,
        byte[] signature,
        X500DistinguishedName issuer,
        DateTimeOffset thisUpdate,
        DateTimeOffset? nextUpdate,
        Dictionary<string, DateTimeOffset> revoked,
        X509Certificate2? signer)
    {
        RawData = raw;
        _tbs = tbs;
        SignatureAlgorithm = signatureAlgorithm;
        _signatureParameters = signatureParameters;
        _signature = signature;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
        Signer = signer;
        SignerKeySha256 = signer is null ? null : Fingerprints.PublicKeySha256(signer);
    }

    /// <summary>The DER of the whole CRL.</summary>
    public byte[] RawData { get; }

    public string SignatureAlgorithm { get; }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Revoked serials, normalized (<see cref="Fingerprints.Serial(ReadOnlySpan{byte})"/>).</summary>
    public IReadOnlyCollection<string> RevokedSerials => _revoked.Keys;

    /// <summary>The CA whose key verified this list; null until <see cref="BoundTo"/>.</summary>
    public X509Certificate2? Signer { get; }

    internal string? SignerKeySha256 { get; }

    /// <summary>Past nextUpdate: the issuer promised a newer list by then, so this one no longer proves "not revoked".</summary>
    public bool IsStale(DateTimeOffset at) => NextUpdate is { } next && at > next;

    /// <summary>Whether <paramref name="serialHex"/> (any case, leading zeros or colons allowed) is listed.</summary>
    public bool Contains(string serialHex)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        return _revoked.ContainsKey(Fingerprints.Serial(serialHex));
    }

    public bool TryGetRevocationDate(string serialHex, out DateTimeOffset revokedAt)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        return _revoked.TryGetValue(Fingerprints.Serial(serialHex), out revokedAt);
    }

    /// <summary>Parses PEM ("X509 CRL") or DER. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static RevocationList Parse(ReadOnlySpan<byte> data)
    {
        var der = Unarmor(data);
        try
        {
            return ParseDer(der);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"not a valid DER CRL ({e.Message})", e);
        }
    }

    /// <summary>Checks that <paramref name="ca"/> issued and signed this list.</summary>
    public CrlSignatureStatus CheckSignature(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData))
        {
            return CrlSignatureStatus.IssuerMismatch;
        }

        var verified = Verify(ca);
        if (verified is null)
        {
            return CrlSignatureStatus.UnsupportedAlgorithm;
        }

        if (!verified.Value)
        {
            return CrlSignatureStatus.BadSignature;
        }

        return CertificateFacts.AllowsKeyUsage(ca, X509KeyUsageFlags.CrlSign)
            ? CrlSignatureStatus.Valid
            : CrlSignatureStatus.NotCrlSigner;
    }

    /// <summary>The same list, recorded as verified by <paramref name="ca"/>.</summary>
    public RevocationList BoundTo(X509Certificate2 ca) =>
        new(RawData, _tbs, SignatureAlgorithm, _signatureParameters, _signature, Issuer, ThisUpdate, NextUpdate, _revoked, ca);

    private static byte[] Unarmor(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0 && data[0] == 0x30)
        {
            return data.ToArray();
        }

        var text = Encoding.ASCII.GetString(data);
        if (!PemEncoding.TryFind(text, out var fields))
        {
            throw new FormatException("neither DER nor PEM");
        }

        var label = text[fields.Label];
        if (label != "X509 CRL")
        {
            throw new FormatException($"PEM block is '{label}', expected 'X509 CRL'");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    private static RevocationList ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        var tbs = certList.ReadEncodedValue().ToArray();
        var (algorithm, parameters) = ReadAlgorithm(certList.ReadSequence());
        var signature = certList.ReadBitString(out _);
        certList.ThrowIfNotEmpty();

        var body = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (body.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            body.ReadInteger(); // version v2; absent in v1
        }

        var (innerAlgorithm, _) = ReadAlgorithm(body.ReadSequence());
        if (innerAlgorithm != algorithm)
        {
            throw new FormatException($"signature algorithm {algorithm} differs from the one inside the list ({innerAlgorithm})");
        }

        var issuer = new X500DistinguishedName(body.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(body);
        DateTimeOffset? nextUpdate = body.HasData && IsTime(body.PeekTag()) ? ReadTime(body) : null;

        var revoked = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (body.HasData && body.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = body.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                var serial = Fingerprints.Serial(entry.ReadIntegerBytes().Span);
                revoked[serial] = ReadTime(entry);
            }
        }

        return new RevocationList(der, tbs, algorithm, parameters, signature, issuer, thisUpdate, nextUpdate, revoked, signer: null);
    }

    private static (string Oid, ReadOnlyMemory<byte>? Parameters) ReadAlgorithm(AsnReader algorithm)
    {
        var oid = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        return (oid, parameters);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    /// <summary>True or false when the signature was checked; null when the algorithm is not one we verify.</summary>
    private bool? Verify(X509Certificate2 ca)
    {
        switch (SignatureAlgorithm)
        {
            case "1.2.840.10045.4.3.2":
                return VerifyEcdsa(ca, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3":
                return VerifyEcdsa(ca, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4":
                return VerifyEcdsa(ca, HashAlgorithmName.SHA512);
            case "1.2.840.113549.1.1.11":
                return VerifyRsa(ca, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.12":
                return VerifyRsa(ca, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.13":
                return VerifyRsa(ca, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.10":
                return PssHash() is { } hash ? VerifyRsa(ca, hash, RSASignaturePadding.Pss) : null;
            default:
                return null; // SHA-1 and anything exotic: refuse rather than trust blindly
        }
    }

    private bool? VerifyEcdsa(X509Certificate2 ca, HashAlgorithmName hash)
    {
        using var key = ca.GetECDsaPublicKey();
        return key?.VerifyData(_tbs, _signature, hash, DSASignatureFormat.Rfc3279DerSequence) ?? false;
    }

    private bool? VerifyRsa(X509Certificate2 ca, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        using var key = ca.GetRSAPublicKey();
        return key?.VerifyData(_tbs, _signature, hash, padding) ?? false;
    }

    /// <summary>
    /// RSASSA-PSS parameters (RFC 4055): .NET verifies PSS only with MGF1 over the same hash and a salt as long
    /// as the hash, which is what every CA toolkit writes; other combinations are reported unsupported.
    /// </summary>
    private HashAlgorithmName? PssHash()
    {
        if (_signatureParameters is not { } parameters)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER).ReadSequence();
            string? hashOid = null;
            string? mgfHashOid = null;
            var saltLength = 20;
            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                hashOid = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence().ReadObjectIdentifier();
            }

            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                var mgf = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
                mgf.ReadObjectIdentifier(); // id-mgf1
                mgfHashOid = mgf.ReadSequence().ReadObjectIdentifier();
            }

            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                var explicitSalt = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2));
                if (!explicitSalt.TryReadInt32(out saltLength))
                {
                    return null;
                }
            }

            (HashAlgorithmName Name, int Length)? hash = hashOid switch
            {
                "2.16.840.1.101.3.4.2.1" => (HashAlgorithmName.SHA256, 32),
                "2.16.840.1.101.3.4.2.2" => (HashAlgorithmName.SHA384, 48),
                "2.16.840.1.101.3.4.2.3" => (HashAlgorithmName.SHA512, 64),
                _ => null,
            };
            return hash is { } h && mgfHashOid == hashOid && saltLength == h.Length ? h.Name : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
