using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// Assembles and signs a CRL field by field (RFC 5280 §5.1) with the issuer's key, for what
/// <see cref="CertificateRevocationListBuilder"/> cannot write: CRL and entry extensions of any kind, no nextUpdate.
/// </summary>
internal static class TestCrl
{
    public static Extension ReasonCode(X509RevocationReason reason) => new("2.5.29.21", false, Encode(w => w.WriteEnumeratedValue(reason)));

    public static Extension CertificateIssuer(X500DistinguishedName issuer) =>
        new("2.5.29.29", true, Encode(w =>
        {
            using (w.PushSequence())
            {
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
                {
                    w.WriteEncodedValue(issuer.RawData);
                }
            }
        }));

    public static Extension DeltaCrlIndicator(int baseCrlNumber) => new("2.5.29.27", true, Encode(w => w.WriteInteger(baseCrlNumber)));

    public static Extension CrlNumber(int number) => new("2.5.29.20", false, Encode(w => w.WriteInteger(number)));

    /// <summary>An Issuing Distribution Point (critical, as RFC 5280 requires) with the given fields.</summary>
    public static Extension IssuingDistributionPoint(
        string[]? uris = null, bool onlyUser = false, bool onlyCa = false, bool onlySomeReasons = false, bool indirect = false, bool onlyAttribute = false) =>
        new("2.5.29.28", true, Encode(w =>
        {
            using (w.PushSequence())
            {
                if (uris is not null)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        foreach (var uri in uris)
                        {
                            w.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
                        }
                    }
                }

                void Flag(bool set, int tag)
                {
                    if (set)
                    {
                        w.WriteBoolean(true, new Asn1Tag(TagClass.ContextSpecific, tag));
                    }
                }

                Flag(onlyUser, 1);
                Flag(onlyCa, 2);
                if (onlySomeReasons)
                {
                    w.WriteBitString([0x40], 6, new Asn1Tag(TagClass.ContextSpecific, 3)); // ReasonFlags: keyCompromise only
                }

                Flag(indirect, 4);
                Flag(onlyAttribute, 5);
            }
        }));

    /// <summary>The signed DER: v2, signed with SHA-256 by <paramref name="issuer"/>'s key (ECDSA or RSA PKCS#1).</summary>
    public static byte[] Sign(
        IssuedCertificate issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, IEnumerable<Entry>? entries = null, params Extension[] extensions)
    {
        var (algorithm, parameters) = issuer.Key is RSA ? ("1.2.840.113549.1.1.11", true) : ("1.2.840.10045.4.3.2", false);
        void WriteAlgorithm(AsnWriter w)
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(algorithm);
                if (parameters)
                {
                    w.WriteNull();
                }
            }
        }

        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1);
            WriteAlgorithm(tbs);
            tbs.WriteEncodedValue(issuer.Certificate.SubjectName.RawData);
            tbs.WriteUtcTime(thisUpdate);
            if (nextUpdate is { } next)
            {
                tbs.WriteUtcTime(next);
            }

            var list = entries?.ToList() ?? [];
            if (list.Count > 0)
            {
                using (tbs.PushSequence())
                {
                    foreach (var entry in list)
                    {
                        using (tbs.PushSequence())
                        {
                            tbs.WriteIntegerUnsigned(entry.Serial.Span);
                            tbs.WriteUtcTime(entry.RevokedAt);
                            WriteExtensions(tbs, entry.Extensions);
                        }
                    }
                }
            }

            if (extensions.Length > 0)
            {
                using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    WriteExtensions(tbs, extensions);
                }
            }
        }

        var toBeSigned = tbs.Encode();
        var signature = issuer.Key switch
        {
            ECDsa ecdsa => ecdsa.SignData(toBeSigned, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            RSA rsa => rsa.SignData(toBeSigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(issuer.Key.GetType().Name),
        };

        var crl = new AsnWriter(AsnEncodingRules.DER);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(toBeSigned);
            WriteAlgorithm(crl);
            crl.WriteBitString(signature);
        }

        return crl.Encode();
    }

    /// <summary>An entry revoking <paramref name="certificate"/> at <paramref name="revokedAt"/>.</summary>
    public static Entry Revoking(IssuedCertificate certificate, DateTimeOffset revokedAt, params Extension[] extensions) =>
        new(certificate.Certificate.SerialNumberBytes, revokedAt, extensions);

    private static void WriteExtensions(AsnWriter writer, Extension[] extensions)
    {
        if (extensions.Length == 0)
        {
            return;
        }

        using (writer.PushSequence())
        {
            foreach (var extension in extensions)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(extension.Oid);
                    if (extension.Critical)
                    {
                        writer.WriteBoolean(true);
                    }

                    writer.WriteOctetString(extension.Value);
                }
            }
        }
    }

    private static byte[] Encode(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }

    public sealed record Extension(string Oid, bool Critical, byte[] Value);

    public sealed record Entry(ReadOnlyMemory<byte> Serial, DateTimeOffset RevokedAt, params Extension[] Extensions);
}
