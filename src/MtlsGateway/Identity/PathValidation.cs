using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;
using MtlsGateway.Pki;

namespace MtlsGateway.Identity;

/// <summary>
/// RFC 5280 path validation where the platform's chain builder is lenient: the MUSTs of §4.2 for every certificate of a
/// chain that reached a trust anchor (key identifiers, key usage against basic constraints, critical basic constraints in
/// CAs, a critical SAN for an empty subject) and the name constraints of §4.2.1.10 / §6.1.3 in full.
/// </summary>
/// <remarks>
/// The anchor is input to path validation (§6.1.1), not a certificate to judge: only its name constraints apply, as
/// OpenSSL applies them. Reasons: a malformed extension, or a client certificate that is not a conformant certificate,
/// reads <see cref="RejectReason.BadSignature"/> (not processed, like an unparsable one); a client certificate claiming
/// powers it cannot have reads <see cref="RejectReason.WrongUsage"/>; a CA certificate breaking a MUST, or names outside a
/// CA's constraints, read <see cref="RejectReason.UntrustedIssuer"/> (not a valid issuer).
/// </remarks>
internal static class PathValidation
{
    private const string EmailAddressOid = "1.2.840.113549.1.9.1";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>Refuses the first certificate (leaf first) with a standard extension that does not parse.</summary>
    public static VerificationResult? CheckSyntax(IReadOnlyList<X509Certificate2> certificates)
    {
        for (var i = 0; i < certificates.Count; i++)
        {
            if (ExtensionSyntax.FirstMalformed(certificates[i]) is { } malformed)
            {
                var isAnchor = i > 0 && i == certificates.Count - 1 && CertificateFacts.IsSelfIssued(certificates[i]);
                return VerificationResult.Reject(RejectReason.BadSignature, VerificationHints.MalformedExtension(certificates[i], i, isAnchor, malformed.Oid, malformed.Name, malformed.Problem));
            }
        }

        return null;
    }

    /// <summary>Checks a chain that reached a trust anchor (<paramref name="elements"/>: leaf first, anchor last).</summary>
    public static VerificationResult? Check(IReadOnlyList<X509Certificate2> elements)
    {
        // From the anchor down: a CA's flaw (no SKI) explains its subordinate's (no AKI key identifier), so it is named first.
        for (var i = elements.Count - 2; i >= 0; i--)
        {
            if (CheckProfile(elements[i], i, elements[i + 1]) is { } nonconformant)
            {
                return nonconformant;
            }
        }

        return CheckNameConstraints(elements);
    }

    private static VerificationResult? CheckProfile(X509Certificate2 certificate, int index, X509Certificate2 issuer)
    {
        var reason = index == 0 ? RejectReason.WrongUsage : RejectReason.UntrustedIssuer;
        if (Powers(certificate, index, issuer) is { } powers)
        {
            return VerificationResult.Reject(reason, powers);
        }

        reason = index == 0 ? RejectReason.BadSignature : RejectReason.UntrustedIssuer;
        return Structure(certificate, index, issuer) is { } structure ? VerificationResult.Reject(reason, structure) : null;
    }

    /// <summary>What the certificate may do: a CA's powers (4.2.1.9, 4.2.1.3), or a client certificate claiming them.</summary>
    private static string? Powers(X509Certificate2 certificate, int index, X509Certificate2 issuer)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages;
        if (index == 0)
        {
            if (usage?.HasFlag(X509KeyUsageFlags.KeyCertSign) == true)
            {
                return VerificationHints.KeyCertSignWithoutCa(certificate);
            }

            return constraints is { HasPathLengthConstraint: true } ? VerificationHints.PathLengthWithoutCa(certificate) : null;
        }

        if (constraints is not { CertificateAuthority: true })
        {
            return VerificationHints.NotACa(certificate, issuer);
        }

        if (!constraints.Critical)
        {
            return VerificationHints.CaBasicConstraintsNotCritical(certificate);
        }

        if (usage is not { } granted)
        {
            return VerificationHints.CaWithoutKeyUsage(certificate);
        }

        return granted.HasFlag(X509KeyUsageFlags.KeyCertSign) ? null : VerificationHints.CaWithoutKeyCertSign(certificate);
    }

    /// <summary>How the certificate is built: key identifiers (4.2.1.1, 4.2.1.2), subject and SAN (4.2.1.6), name constraints (4.2.1.10).</summary>
    private static string? Structure(X509Certificate2 certificate, int index, X509Certificate2 issuer)
    {
        var subjectKeyId = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        if (subjectKeyId is null && index > 0)
        {
            return VerificationHints.CaWithoutSubjectKeyId(certificate);
        }

        if (subjectKeyId is { Critical: true })
        {
            return VerificationHints.KeyIdentifierCritical(certificate, index, "subject key identifier");
        }

        var authorityKeyId = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (authorityKeyId is { Critical: true })
        {
            return VerificationHints.KeyIdentifierCritical(certificate, index, "authority key identifier");
        }

        if (authorityKeyId?.KeyIdentifier is not { } keyId)
        {
            return VerificationHints.MissingAuthorityKeyId(certificate, index, authorityKeyId is not null);
        }

        if (issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes is { } expected
            && !keyId.Span.SequenceEqual(expected.Span))
        {
            return VerificationHints.AuthorityKeyIdMismatch(certificate, index, keyId.Span, issuer, expected.Span);
        }

        var san = certificate.Extensions[Oids.SubjectAlternativeName];
        if (certificate.SubjectName.RawData.Length <= 2 && san is not { Critical: true })
        {
            return VerificationHints.EmptySubjectWithoutCriticalSan(certificate, index, san is not null);
        }

        return index == 0 && certificate.Extensions[NameConstraints.Oid] is not null ? VerificationHints.NameConstraintsInLeaf(certificate) : null;
    }

    /// <summary>Names the certificate and the name that break a CA's name constraints, or null when none does.</summary>
    public static string? ExplainNameConstraints(IReadOnlyList<X509Certificate2> elements) => CheckNameConstraints(elements)?.Hint;

    /// <summary>
    /// §6.1.3 (b), (c): the names of every certificate below a CA with name constraints, the leaf's and those of the CAs in
    /// between (self-issued ones excepted: a CA's key rollover does not change whose names it may certify).
    /// </summary>
    private static VerificationResult? CheckNameConstraints(IReadOnlyList<X509Certificate2> elements)
    {
        for (var j = 1; j < elements.Count; j++)
        {
            if (NameConstraints.Of(elements[j]) is not { } constraints)
            {
                continue;
            }

            var isAnchor = j == elements.Count - 1;
            for (var i = j - 1; i >= 0; i--)
            {
                if (i > 0 && CertificateFacts.IsSelfIssued(elements[i]))
                {
                    continue;
                }

                foreach (var name in NamesOf(elements[i], isLeaf: i == 0))
                {
                    if (constraints.Violation(name) is { } why)
                    {
                        return VerificationResult.Reject(RejectReason.UntrustedIssuer, VerificationHints.NameOutsideConstraints(elements[i], i, name, why, elements[j], j, isAnchor));
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The subject, each SAN and each emailAddress of the subject; for the leaf without a DNS SAN, also each CN that looks
    /// like a host name, checked as a dNSName as OpenSSL does (else a CA constrained to partner.test could certify a CN of
    /// bank.test to every client that still reads the CN).
    /// </summary>
    private static List<GeneralName> NamesOf(X509Certificate2 certificate, bool isLeaf)
    {
        var names = new List<GeneralName>();
        if (certificate.SubjectName.RawData.Length > 2)
        {
            names.Add(new GeneralName(GeneralNameForm.DirectoryName, string.Empty, certificate.SubjectName.RawData));
        }

        if (certificate.Extensions[Oids.SubjectAlternativeName] is { } san)
        {
            names.AddRange(GeneralName.ReadAll(new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence()));
        }

        names.AddRange(DistinguishedNames.Values(certificate.SubjectName, EmailAddressOid).Select(e => new GeneralName(GeneralNameForm.Rfc822Name, e, default)));
        if (isLeaf && !names.Any(n => n.Form == GeneralNameForm.DnsName))
        {
            names.AddRange(DistinguishedNames.Values(certificate.SubjectName, CommonNameOid).Where(LooksLikeHostName).Select(cn => new GeneralName(GeneralNameForm.DnsName, cn, default)));
        }

        return names;
    }

    /// <summary>OpenSSL's test (cn2dnsid): letters, digits, '_', '-' and '.', at least one dot, none at either end or doubled.</summary>
    private static bool LooksLikeHostName(string cn)
    {
        var dotted = false;
        for (var i = 0; i < cn.Length; i++)
        {
            var c = cn[i];
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                continue;
            }

            var inner = i > 0 && i < cn.Length - 1;
            if (inner && c == '-')
            {
                continue;
            }

            if (inner && c == '.' && cn[i + 1] is not ('.' or '-') && cn[i - 1] != '-')
            {
                dotted = true;
                continue;
            }

            return false;
        }

        return dotted;
    }
}
