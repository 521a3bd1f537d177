using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// Verifies an X.509-style signature (a to-be-signed body, an AlgorithmIdentifier, a BIT STRING) with a certificate's
/// public key: CRLs, OCSP responses and OCSP responder certificates. Only SHA-2 with ECDSA, RSA PKCS#1 v1.5 or RSA-PSS;
/// SHA-1 and anything exotic are "unsupported" rather than trusted blindly.
/// </summary>
internal static class SignedData
{
    /// <summary>True or false when the signature was checked; null when the algorithm is not one we verify.</summary>
    public static bool? Verify(string algorithm, ReadOnlyMemory<byte>? parameters, ReadOnlySpan<byte> tbs, ReadOnlySpan<byte> signature, X509Certificate2 signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        switch (algorithm)
        {
            case "1.2.840.10045.4.3.2":
                return VerifyEcdsa(signer, tbs, signature, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3":
                return VerifyEcdsa(signer, tbs, signature, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4":
                return VerifyEcdsa(signer, tbs, signature, HashAlgorithmName.SHA512);
            case "1.2.840.113549.1.1.11":
                return VerifyRsa(signer, tbs, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.12":
                return VerifyRsa(signer, tbs, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.13":
                return VerifyRsa(signer, tbs, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.10":
                return PssHash(parameters) is { } hash ? VerifyRsa(signer, tbs, signature, hash, RSASignaturePadding.Pss) : null;
            default:
                return null;
        }
    }

    /// <summary>Whether <paramref name="issuer"/>'s key signed <paramref name="certificate"/> (null: algorithm not verified).</summary>
    public static bool? VerifyCertificate(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            var outer = new AsnReader(certificate.RawDataMemory, AsnEncodingRules.DER).ReadSequence();
            var tbs = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
            var signature = outer.ReadBitString(out _);
            return Verify(oid, parameters, tbs.Span, signature, issuer);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool VerifyEcdsa(X509Certificate2 signer, ReadOnlySpan<byte> tbs, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        using var key = signer.GetECDsaPublicKey();
        return key?.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence) ?? false;
    }

    private static bool VerifyRsa(X509Certificate2 signer, ReadOnlySpan<byte> tbs, ReadOnlySpan<byte> signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        using var key = signer.GetRSAPublicKey();
        return key?.VerifyData(tbs, signature, hash, padding) ?? false;
    }

    /// <summary>
    /// RSASSA-PSS parameters (RFC 4055): .NET verifies PSS only with MGF1 over the same hash and a salt as long
    /// as the hash, which is what every CA toolkit writes; other combinations are reported unsupported.
    /// </summary>
    private static HashAlgorithmName? PssHash(ReadOnlyMemory<byte>? encoded)
    {
        if (encoded is not { } parameters)
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
