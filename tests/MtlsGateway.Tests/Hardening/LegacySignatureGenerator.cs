using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Signs certificates with RSA PKCS#1 v1.5 over MD5 or SHA-1, which <see cref="X509SignatureGenerator.CreateForRSA"/>
/// refuses to name: the hostile certificates a careless or ancient CA still issues. Test-only on purpose — the
/// product never authors such a certificate.
/// </summary>
internal sealed class LegacySignatureGenerator(RSA key) : X509SignatureGenerator
{
    private const string Md5WithRsa = "1.2.840.113549.1.1.4";
    private const string Sha1WithRsa = "1.2.840.113549.1.1.5";

    /// <summary>For <see cref="Pki.CertificateSpec.SignatureGenerator"/>: the issuer's key must be RSA.</summary>
    public static X509SignatureGenerator For(AsymmetricAlgorithm signingKey) =>
        new LegacySignatureGenerator(signingKey as RSA ?? throw new ArgumentException("MD5 and SHA-1 signatures here are RSA only.", nameof(signingKey)));

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
    {
        var oid = hashAlgorithm == HashAlgorithmName.MD5 ? Md5WithRsa
            : hashAlgorithm == HashAlgorithmName.SHA1 ? Sha1WithRsa
            : throw new ArgumentOutOfRangeException(nameof(hashAlgorithm), hashAlgorithm, "only the legacy hashes; use CertificateAuthority's own generator otherwise");
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteNull(); // RFC 3279: the parameters of the RSA PKCS#1 algorithms are NULL
        }

        return writer.Encode();
    }

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
        key.SignData(data, hashAlgorithm, RSASignaturePadding.Pkcs1);

    protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
}
