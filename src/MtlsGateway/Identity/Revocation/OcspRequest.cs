using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// An OCSP request (RFC 6960 4.1) for one certificate, in the RFC 5019 profile every responder and CDN cache serves:
/// one CertID hashed with SHA-1, unsigned, no nonce (a nonce defeats pre-signed answers; the answer's
/// thisUpdate/nextUpdate bound a replay instead).
/// </summary>
#pragma warning disable CA5350 // RFC 6960/5019 name certificates by SHA-1 hashes: an identifier the responder looks up, not a signature
internal static class OcspRequest
{
    public const string Sha1Oid = "1.3.14.3.2.26";

    /// <summary>The CertID of <paramref name="certificate"/> issued by <paramref name="issuer"/>, hashed with SHA-1.</summary>
    public static OcspCertId CertIdFor(X509Certificate2 certificate, X509Certificate2 issuer) =>
        new(Sha1Oid, SHA1.HashData(issuer.SubjectName.RawData), KeyHash(issuer), certificate.SerialNumberBytes.ToArray());

    /// <summary>SHA-1 of the issuer's subjectPublicKey BIT STRING contents (what CertID and ResponderID byKey hash).</summary>
    public static byte[] KeyHash(X509Certificate2 certificate) => SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData);

    /// <summary>DER OCSPRequest for <paramref name="id"/>; null when the serial is not a minimal DER INTEGER.</summary>
    public static byte[]? Encode(OcspCertId id)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence()) // OCSPRequest
        using (writer.PushSequence()) // TBSRequest
        using (writer.PushSequence()) // requestList
        using (writer.PushSequence()) // Request
        using (writer.PushSequence()) // CertID
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(id.HashAlgorithm);
                writer.WriteNull();
            }

            writer.WriteOctetString(id.IssuerNameHash);
            writer.WriteOctetString(id.IssuerKeyHash);
            try
            {
                writer.WriteInteger(id.Serial);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        return writer.Encode();
    }
}
#pragma warning restore CA5350

/// <summary>RFC 6960 CertID: names one certificate by its issuer's name and key hashes and its serial.</summary>
internal sealed record OcspCertId(string HashAlgorithm, byte[] IssuerNameHash, byte[] IssuerKeyHash, byte[] Serial)
{
    /// <summary>Whether <paramref name="other"/> (from an answer) names the same certificate; an answer may hash with another
    /// algorithm than asked, so the hashes are recomputed for it.</summary>
    public bool Matches(OcspCertId other, X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Serial.AsSpan().SequenceEqual(Serial))
        {
            return false;
        }

        if (other.HashAlgorithm == HashAlgorithm)
        {
            return other.IssuerNameHash.AsSpan().SequenceEqual(IssuerNameHash) && other.IssuerKeyHash.AsSpan().SequenceEqual(IssuerKeyHash);
        }

        HashAlgorithmName? name = other.HashAlgorithm switch
        {
            "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
            "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
            "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
            _ => null,
        };
        return name is { } hash
            && other.IssuerNameHash.AsSpan().SequenceEqual(CryptographicOperations.HashData(hash, issuer.SubjectName.RawData))
            && other.IssuerKeyHash.AsSpan().SequenceEqual(CryptographicOperations.HashData(hash, issuer.PublicKey.EncodedKeyValue.RawData));
    }
}
