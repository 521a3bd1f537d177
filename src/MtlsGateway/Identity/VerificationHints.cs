using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity.Spiffe;
using MtlsGateway.Pki;

namespace MtlsGateway.Identity;

/// <summary>The sentences that tell ops what to fix, built from facts of the refused certificate and the store.</summary>
internal static class VerificationHints
{
    // Not-before a little ahead of now is a clock problem far more often than a certificate issued for later.
    private static readonly TimeSpan ClockTrouble = TimeSpan.FromHours(1);

    public static string IsCertificateAuthority(X509Certificate2 leaf) =>
        $"{CertificateFacts.Name(leaf)} is a CA certificate (basic constraints CA=true), not a client certificate; the client must present its own end-entity certificate";

    public static string NotPinned(X509Certificate2 leaf, TrustStore store) =>
        $"certificate SHA-256 {Fingerprints.Sha256(leaf)} is not pinned in trust store '{store.Name}'; add it to Pins";

    public static string SelfSigned(X509Certificate2 leaf, TrustStore store) => store.Bundle is { } bundle ? SpiffeHints.SelfSigned(leaf, bundle, store) :
        $"certificate {CertificateFacts.Name(leaf)} is self-signed; trust store '{store.Name}' admits only certificates issued by its CaFiles (a self-signed client certificate needs a trust store with Pins and no CaFiles)";

    public static string UntrustedRoot(X509Certificate2 top, TrustStore store) => store.Bundle is { } bundle ? SpiffeHints.UntrustedRoot(top, bundle, store) :
        $"issuer {CertificateFacts.Name(top)} is not in trust store '{store.Name}'; add it to CaFiles if that CA should be trusted";

    public static string MissingIssuer(X509Certificate2 top, TrustStore store) => store.Bundle is { } bundle ? SpiffeHints.MissingIssuer(top, bundle, store) :
        $"issuer {DistinguishedNames.Format(top.IssuerName)} was not sent by the client nor found in trust store '{store.Name}'; if it is an intermediate of a trusted CA add it to CaFiles or have the client send its chain, otherwise the certificate comes from a CA this store does not trust";

    public static string IssuerKeyMismatch(X509Certificate2 top, TrustStore store) => store.Bundle is { } bundle ? SpiffeHints.IssuerKeyMismatch(top, bundle, store) :
        $"issuer {DistinguishedNames.Format(top.IssuerName)} is known to trust store '{store.Name}' but its key did not sign {CertificateFacts.Name(top)}; the certificate was signed by another key under the same name (forged, or from a re-keyed CA whose new certificate is missing from CaFiles)";

    public static string BadSignature(X509Certificate2 certificate) =>
        $"the signature of {CertificateFacts.Name(certificate)} does not verify with its issuer's key; the certificate is corrupt or forged";

    public static string Unparsable(string message) =>
        $"the certificate could not be processed ({message}); it is malformed";

    public static string ChainInvalid(TrustStore store, string detail) =>
        $"the chain to trust store '{store.Name}' is not valid: {detail}";

    public static string Expired(X509Certificate2 certificate, bool isLeaf, DateTimeOffset notAfter, DateTimeOffset at)
    {
        var when = $"expired {Durations.Humanize(at - notAfter)} ago (NotAfter {Durations.Instant(notAfter)})";
        return isLeaf
            ? $"{when}; the client must renew its certificate"
            : $"issuing CA {CertificateFacts.Name(certificate)} {when}; renew the CA and replace it in CaFiles";
    }

    public static string NotYetValid(X509Certificate2 certificate, bool isLeaf, DateTimeOffset notBefore, DateTimeOffset at)
    {
        var ahead = notBefore - at;
        var when = $"not valid until {Durations.Instant(notBefore)}, {Durations.Humanize(ahead)} from now";
        var why = ahead <= ClockTrouble
            ? "the client's clock or the issuing CA's clock is probably wrong"
            : "it was issued for later use; present the current certificate until then";
        return isLeaf ? $"{when}; {why}" : $"issuing CA {CertificateFacts.Name(certificate)} is {when}; {why}";
    }

    public static string NoClientAuth(X509Certificate2 certificate, bool isLeaf) => isLeaf
        ? $"extended key usage has no clientAuth ({Oids.ClientAuth}); issue the client certificate with clientAuth"
        : $"extended key usage of issuing CA {CertificateFacts.Name(certificate)} has no clientAuth ({Oids.ClientAuth}), so it may not issue client certificates";

    public static string WrongUsage(string detail) =>
        $"the certificate may not be used for client authentication: {detail}";

    public static string Revoked(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, DateTimeOffset revokedAt, X509RevocationReason? reason = null)
    {
        var serial = Fingerprints.Serial(certificate.SerialNumber);
        var who = isLeaf ? $"serial {serial}" : $"issuing CA {CertificateFacts.Name(certificate)} (serial {serial})";
        var why = reason switch
        {
            null => string.Empty,
            X509RevocationReason.CertificateHold => " (reason certificateHold: on hold until the CA publishes a CRL that no longer lists it)",
            _ => $" (reason {ReasonName(reason.Value)})",
        };
        return $"{who} revoked by CRL of {CertificateFacts.Name(issuer)} on {Durations.Instant(revokedAt)}{why}";
    }

    public static string CrlOutOfScope(RevocationList crl, X509Certificate2 certificate, bool isLeaf, string exclusion) =>
        $"CRL of {DistinguishedNames.Format(crl.Issuer)} {exclusion}; it neither revokes nor clears {(isLeaf ? "client certificate" : "issuing CA")} {CertificateFacts.Name(certificate)}";

    public static string CrlNotYetValid(RevocationList crl, DateTimeOffset at) =>
        $"CRL of {DistinguishedNames.Format(crl.Issuer)} is not valid yet: its thisUpdate {Durations.Instant(crl.ThisUpdate)} is {Durations.Humanize(crl.ThisUpdate - at)} ahead of the gateway's clock, more than ClockSkew; check the clocks of the gateway and of the CA that signed it";

    // validate accepts a CRL of a CA the store does not hold (it waits for that CA to be presented), so this advice always works.
    public static string NoCrl(X509Certificate2 issuer, TrustStore store) =>
        $"trust store '{store.Name}' has no CRL of {CertificateFacts.Name(issuer)}; add that CA's CRL to CrlFiles"
        + (store.HoldsSubject(issuer.SubjectName) ? string.Empty : " (it need not be in CaFiles: a CRL of a CA the client sends is used once it verifies with that CA's key)");

    public static string CrlNotSignedByIssuer(X509Certificate2 issuer, CrlRejection rejected, bool isStoreCa)
    {
        var ca = $"{(isStoreCa ? "CA" : "the CA the client sent,")} {CertificateFacts.Name(issuer)}";
        return rejected.Status switch
        {
            CrlSignatureStatus.NotCrlSigner =>
                $"CRL '{rejected.Source}' in CrlFiles names {ca} but that CA's key usage lacks cRLSign, so its CRL cannot be trusted; reissue the CA with cRLSign",
            CrlSignatureStatus.UnsupportedAlgorithm =>
                $"CRL '{rejected.Source}' in CrlFiles names {ca} but uses a signature algorithm the gateway does not verify; have the CA sign CRLs with ECDSA or RSA over SHA-256/384/512",
            _ =>
                $"CRL '{rejected.Source}' in CrlFiles names {ca} but is not signed by that CA's key (another CA under the same name, or a corrupt file); replace it with the CRL this CA publishes",
        };
    }

    public static string StaleCrl(RevocationList crl) =>
        $"CRL of {DistinguishedNames.Format(crl.Issuer)} expired at {Durations.Instant(crl.NextUpdate!.Value)} (NextUpdate); publish a fresh CRL";

    public static string AdmittedAnyway(string hint) =>
        $"{hint}; admitted because RevocationFailure is Allow";

    public static string TooLarge(X509Certificate2 certificate, bool isLeaf, int limit, string storeName) =>
        $"{(isLeaf ? "client certificate" : "certificate sent in the chain")} {CertificateFacts.Name(certificate)} is {certificate.RawDataMemory.Length} bytes, larger than trust store '{storeName}' MaxCertificateSize {limit}; real certificates are a few KiB — raise MaxCertificateSize only if the partner's certificate is genuinely that large";

    public static string ChainTooDeep(X509Certificate2 leaf, X509Certificate2 anchor, int intermediates, int limit, string storeName) =>
        $"the chain from {CertificateFacts.Name(leaf)} to root {CertificateFacts.Name(anchor)} has {intermediates} intermediate CA certificates, more than trust store '{storeName}' MaxChainDepth {limit}; ask the partner for a shorter chain, or raise MaxChainDepth";

    public static string SignatureNotAllowed(X509Certificate2 certificate, int index, bool isAnchor, string algorithm, CertificateRequirements requirements, string storeName) =>
        $"{Role(certificate, index, isAnchor)}: signature algorithm {algorithm} is not allowed by trust store '{storeName}' AllowedSignatureAlgorithms ({string.Join(", ", requirements.AllowedSignatureAlgorithms.Order(StringComparer.OrdinalIgnoreCase))}); have its issuer {DistinguishedNames.Format(certificate.IssuerName)} reissue it with SHA-256 or stronger";

    public static string KeyTooSmall(X509Certificate2 certificate, int index, bool isAnchor, string kind, int bits, string setting, int minimum, string storeName) =>
        $"{Role(certificate, index, isAnchor)}: {kind} key of {bits} bits is below trust store '{storeName}' {setting} {minimum}; "
        + (index == 0
            ? $"the client needs a new key of at least {minimum} bits{(kind == "RSA" ? " (or ECDSA P-256)" : string.Empty)} and a certificate for it"
            : $"the CA must be re-keyed (lowering {setting} accepts the risk)");

    public static string NotACa(X509Certificate2 issuer, X509Certificate2 issued) =>
        $"{CertificateFacts.Name(issuer)} issued {CertificateFacts.Name(issued)} but is not a CA certificate (no basic constraints CA=true, or no keyCertSign usage); only a CA may issue certificates, so the chain is forged or misissued";

    public static string PathLengthExceeded(X509Certificate2 ca, int allowed, int below) =>
        $"CA {CertificateFacts.Name(ca)} allows {allowed} CA certificate{(allowed == 1 ? string.Empty : "s")} below it (pathLenConstraint {allowed}) but the chain has {below}; the CAs below it were not allowed to issue certificates";

    public static string NameConstraintViolated(X509Certificate2 certificate, X509Certificate2? constrainingCa, string detail)
    {
        var (dns, uris) = SubjectAltNames.Read(certificate);
        // The verdict is cached per certificate: a certificate with thousands of names must not make a hint of them all.
        var names = dns.Select(d => "DNS " + d).Concat(uris.Select(u => "URI " + u)).Prepend(CertificateFacts.Name(certificate)).ToList();
        var listed = RefusalFieldCaps.List(names, ", ");
        var ca = constrainingCa is null ? "an issuing CA" : $"issuing CA {CertificateFacts.Name(constrainingCa)}";
        return $"the names of the certificate ({listed}) are outside the name constraints of {ca} ({detail}); that CA was not allowed to issue them";
    }

    public static string UnknownCriticalExtension(X509Certificate2 certificate, int index, IEnumerable<string> oids) =>
        $"{Role(certificate, index, isAnchor: false)} carries critical extension {string.Join(", ", oids)}, which the gateway does not understand; RFC 5280 requires refusing it — have the CA reissue the certificate without it or mark it non-critical";

    public static string MalformedExtension(X509Certificate2 certificate, int index, bool isAnchor, string oid, string name, string problem) =>
        $"{Role(certificate, index, isAnchor)} has a malformed {name} extension ({oid}): {problem}; the certificate cannot be validated — have {(index == 0 ? "its CA" : "that CA")} reissue it";

    public static string CaBasicConstraintsNotCritical(X509Certificate2 ca) =>
        $"issuing CA {CertificateFacts.Name(ca)} marks basic constraints (CA=true) non-critical; RFC 5280 4.2.1.9 requires it critical in CA certificates, so the CA is not a valid issuer until it is reissued";

    public static string CaWithoutKeyUsage(X509Certificate2 ca) =>
        $"issuing CA {CertificateFacts.Name(ca)} has no key usage extension; RFC 5280 4.2.1.3 requires one with keyCertSign in CA certificates, so the CA is not a valid issuer until it is reissued";

    public static string CaWithoutKeyCertSign(X509Certificate2 ca) =>
        $"key usage of issuing CA {CertificateFacts.Name(ca)} lacks keyCertSign, so it may not sign certificates (RFC 5280 4.2.1.3)";

    public static string CaWithoutSubjectKeyId(X509Certificate2 ca) =>
        $"issuing CA {CertificateFacts.Name(ca)} has no subject key identifier; RFC 5280 4.2.1.2 requires one in every CA certificate, so the CA is not a valid issuer until it is reissued";

    public static string KeyIdentifierCritical(X509Certificate2 certificate, int index, string which) =>
        $"{Role(certificate, index, isAnchor: false)} marks its {which} critical; RFC 5280 4.2.1.1 and 4.2.1.2 require it non-critical — have {(index == 0 ? "its CA" : "that CA")} reissue it";

    public static string MissingAuthorityKeyId(X509Certificate2 certificate, int index, bool hasExtension) =>
        $"{Role(certificate, index, isAnchor: false)} has {(hasExtension ? "an authority key identifier without keyIdentifier" : "no authority key identifier")}; RFC 5280 4.2.1.1 requires the issuer's key identifier in every certificate but a self-signed root — have {(index == 0 ? "its CA" : "that CA's issuer")} reissue it";

    public static string AuthorityKeyIdMismatch(X509Certificate2 certificate, int index, ReadOnlySpan<byte> authorityKeyId, X509Certificate2 issuer, ReadOnlySpan<byte> issuerKeyId) =>
        $"{Role(certificate, index, isAnchor: false)} names issuer key {Convert.ToHexString(authorityKeyId)} (authority key identifier) but its issuer {CertificateFacts.Name(issuer)} has key {Convert.ToHexString(issuerKeyId)} (subject key identifier); the certificate was issued under another key of that name";

    public static string EmptySubjectWithoutCriticalSan(X509Certificate2 certificate, int index, bool hasSan) =>
        $"{Role(certificate, index, isAnchor: false)} has an empty subject and {(hasSan ? "a subject alternative name not marked critical" : "no subject alternative name")}; RFC 5280 4.2.1.6 requires the names in a critical subject alternative name then";

    public static string KeyCertSignWithoutCa(X509Certificate2 leaf) =>
        $"client certificate {CertificateFacts.Name(leaf)} asserts keyCertSign in key usage without basic constraints CA=true; RFC 5280 4.2.1.3 allows keyCertSign only in CA certificates — issue the client certificate without it";

    public static string PathLengthWithoutCa(X509Certificate2 leaf) =>
        $"client certificate {CertificateFacts.Name(leaf)} has a pathLenConstraint in basic constraints without CA=true; RFC 5280 4.2.1.9 forbids it — issue the client certificate without it";

    public static string NameConstraintsInLeaf(X509Certificate2 leaf) =>
        $"client certificate {CertificateFacts.Name(leaf)} carries name constraints; RFC 5280 4.2.1.10 allows them only in CA certificates — issue the client certificate without them";

    public static string NameOutsideConstraints(X509Certificate2 certificate, int index, GeneralName name, string why, X509Certificate2 ca, int caIndex, bool caIsAnchor) =>
        $"{Role(certificate, index, isAnchor: false)}: {name} is {why} in the name constraints of {Role(ca, caIndex, caIsAnchor)}; that CA was not allowed to issue it";

    // RFC 5280 §5.3.1 spells the reasons in lower camel case (keyCompromise, cACompromise, …).
    internal static string ReasonName(X509RevocationReason reason)
    {
        var name = reason.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static string Role(X509Certificate2 certificate, int index, bool isAnchor) => index switch
    {
        0 => $"client certificate {CertificateFacts.Name(certificate)}",
        _ when isAnchor => $"root CA {CertificateFacts.Name(certificate)}",
        _ => $"issuing CA {CertificateFacts.Name(certificate)}",
    };
}
