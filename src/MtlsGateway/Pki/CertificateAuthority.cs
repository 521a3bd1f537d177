using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Pki;

/// <summary>
/// Authors certificates and CRLs: the development PKI (<c>dev-certs</c>) and the PKIs the tests
/// build for themselves, so that no clock-dependent certificate is ever committed as a fixture.
/// </summary>
public static class CertificateAuthority
{
    /// <summary>Creates a self-signed certificate (a root CA when <see cref="CertificateSpec.IsCertificateAuthority"/>).</summary>
    public static IssuedCertificate CreateSelfSigned(CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var key = CreateKey(spec.Key);
        var request = CreateRequest(spec, key, issuer: null);
        using var created = request.Create(
            request.SubjectName, SignerFor(spec, key), spec.NotBefore, spec.NotAfter, SerialOf(spec));
        return new IssuedCertificate(Attach(created, key), key);
    }

    /// <summary>Issues a certificate signed by <paramref name="issuer"/>.</summary>
    public static IssuedCertificate Issue(IssuedCertificate issuer, CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(spec);
        var key = CreateKey(spec.Key);
        var request = CreateRequest(spec, key, issuer);
        using var created = request.Create(
            issuer.Certificate.SubjectName, SignerFor(spec, issuer.Key), spec.NotBefore, spec.NotAfter, SerialOf(spec));
        return new IssuedCertificate(Attach(created, key), key);
    }

    /// <summary>Builds a DER CRL signed by <paramref name="issuer"/> listing <paramref name="revokedSerials"/>.</summary>
    public static byte[] CreateCrl(
        IssuedCertificate issuer,
        IEnumerable<byte[]> revokedSerials,
        DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate,
        BigInteger crlNumber)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(revokedSerials);
        var builder = new CertificateRevocationListBuilder();
        foreach (var serial in revokedSerials)
        {
            builder.AddEntry(serial, thisUpdate, X509RevocationReason.KeyCompromise);
        }

        var padding = issuer.Key is RSA ? RSASignaturePadding.Pkcs1 : null;
        return builder.Build(issuer.Certificate, crlNumber, nextUpdate, HashAlgorithmName.SHA256, padding, thisUpdate);
    }

    /// <summary>PEM armour for a DER CRL.</summary>
    public static string CrlToPem(byte[] der) => new(PemEncoding.Write("X509 CRL", der));

    private static CertificateRequest CreateRequest(CertificateSpec spec, AsymmetricAlgorithm key, IssuedCertificate? issuer)
    {
        var subject = new X500DistinguishedName(spec.Subject);
        var request = key switch
        {
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, spec.SignatureHash),
            RSA rsa => new CertificateRequest(subject, rsa, spec.SignatureHash, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(key.GetType().Name),
        };

        request.CertificateExtensions.Add(spec.IsCertificateAuthority
            ? new X509BasicConstraintsExtension(true, spec.PathLength is not null, spec.PathLength ?? 0, critical: true)
            : new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var usage = spec.KeyUsage ?? (spec.IsCertificateAuthority
            ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign
            : X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (issuer is not null)
        {
            // The issuer's SKI when it has one (RFC 5280 4.2.1.1); an issuer without (only tests make one) is named by issuer and serial.
            var hasKeyId = issuer.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any();
            request.CertificateExtensions.Add(
                X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, includeKeyIdentifier: hasKeyId, includeIssuerAndSerial: !hasKeyId));
        }

        if (spec.ExtendedKeyUsages is { } ekus)
        {
            var collection = new OidCollection();
            foreach (var oid in ekus)
            {
                collection.Add(new Oid(oid));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(collection, critical: false));
        }

        if (spec.CrlDistributionPoints.Count > 0)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(spec.CrlDistributionPoints));
        }

        if (spec.OcspUrls.Count > 0)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(spec.OcspUrls, caIssuersUris: null));
        }

        if (spec.DnsNames.Count > 0 || spec.Uris.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in spec.DnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var uri in spec.Uris)
            {
                san.AddUri(new Uri(uri));
            }

            // RFC 5280 4.2.1.6: with an empty subject the names live only here, so the extension is critical.
            request.CertificateExtensions.Add(san.Build(critical: subject.RawData.Length <= 2));
        }

        // A standard extension named in Extensions or OmittedExtensions gives way: tests author non-conformant certificates so.
        var replaced = spec.Extensions.Select(e => e.Oid?.Value).Concat(spec.OmittedExtensions).ToHashSet(StringComparer.Ordinal);
        foreach (var standard in request.CertificateExtensions.Where(e => replaced.Contains(e.Oid?.Value)).ToList())
        {
            request.CertificateExtensions.Remove(standard);
        }

        foreach (var extension in spec.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request;
    }

    private static X509SignatureGenerator SignerFor(CertificateSpec spec, AsymmetricAlgorithm signingKey) =>
        spec.SignatureGenerator?.Invoke(signingKey) ?? CreateSignatureGenerator(signingKey);

    private static X509SignatureGenerator CreateSignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(key.GetType().Name),
    };

    private static AsymmetricAlgorithm CreateKey(KeyKind kind) => kind switch
    {
        KeyKind.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyKind.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        KeyKind.Rsa2048 => RSA.Create(2048),
        KeyKind.Rsa3072 => RSA.Create(3072),
        KeyKind.Rsa1024 => RSA.Create(1024),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static byte[] SerialOf(CertificateSpec spec)
    {
        if (spec.SerialNumber is { } serial)
        {
            return serial;
        }

        var random = RandomNumberGenerator.GetBytes(16);
        random[0] &= 0x7F; // keep the DER INTEGER positive
        random[0] |= 0x01; // and without a leading zero byte
        return random;
    }

    private static X509Certificate2 Attach(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        try
        {
            return key switch
            {
                ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
                RSA rsa => certificate.CopyWithPrivateKey(rsa),
                _ => throw new NotSupportedException(key.GetType().Name),
            };
        }
        catch (CryptographicException)
        {
            // The platform reads key usage to attach a key; a test's deliberately malformed one keeps the key beside it only.
            return X509CertificateLoader.LoadCertificate(certificate.RawData);
        }
    }
}
