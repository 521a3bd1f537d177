using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// Whether an OCSP answer may be believed for one certificate (RFC 6960 4.2.2.2, 3.2): signed by the certificate's
/// issuer itself, or by a responder certificate that issuer signed with extended key usage id-kp-OCSPSigning (valid
/// now); the signature verifies; it answers for this CertID; thisUpdate is not in the future and nextUpdate has not
/// passed (± ClockSkew). An answer without nextUpdate is believed only if issued within <see cref="NoNextUpdateLifetime"/>,
/// and only for that long. The delegated responder's own revocation is not checked (RFC 6960 4.2.2.2.1 leaves it to
/// policy; responders carry id-pkix-ocsp-nocheck).
/// </summary>
internal static class OcspAnswerCheck
{
    public const string OcspSigningOid = "1.3.6.1.5.5.7.3.9";

    /// <summary>How long an answer without nextUpdate serves (and how old it may be when it arrives).</summary>
    public static readonly TimeSpan NoNextUpdateLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The believed answer for <paramref name="id"/>, or null with why not.</summary>
    public static OcspAnswer? Check(byte[] body, OcspCertId id, X509Certificate2 issuer, DateTimeOffset at, TimeSpan skew, out string why)
    {
        OcspResponse response;
        try
        {
            response = OcspResponse.Parse(body);
        }
        catch (FormatException e)
        {
            why = $"answered with something that is not an OCSP response: {e.Message}";
            return null;
        }

        using (response)
        {
            return Check(response, id, issuer, at, skew, out why);
        }
    }

    private static OcspAnswer? Check(OcspResponse response, OcspCertId id, X509Certificate2 issuer, DateTimeOffset at, TimeSpan skew, out string why)
    {
        if (response.Status != OcspResponseStatus.Successful)
        {
            why = $"answered '{StatusName(response.Status)}' instead of a status";
            return null;
        }

        if (response.UnknownCriticalExtension is { } critical)
        {
            why = $"answered with an unrecognised critical extension {critical}";
            return null;
        }

        var issuerName = CertificateFacts.Name(issuer);
        if (FindSigner(response, issuer, at, skew, out why) is not { } signer)
        {
            return null;
        }

        var signedBy = ReferenceEquals(signer, issuer) ? issuerName : $"delegated responder {CertificateFacts.Name(signer)}";
        switch (SignedData.Verify(response.SignatureAlgorithm, response.SignatureParameters, response.SignedBytes.Span, response.Signature, signer))
        {
            case null:
                why = $"signed its answer with {response.SignatureAlgorithm}, an algorithm the gateway does not verify";
                return null;
            case false:
                why = $"sent an answer whose signature does not verify with the key of {signedBy}";
                return null;
        }

        if (response.Responses.FirstOrDefault(r => id.Matches(r.CertId, issuer)) is not { } single)
        {
            why = $"answered for other certificates than serial {Convert.ToHexString(id.Serial)} of {issuerName}";
            return null;
        }

        if (single.ThisUpdate > at + skew)
        {
            why = $"sent an answer issued in the future (thisUpdate {Durations.Instant(single.ThisUpdate)}; now {Durations.Instant(at)}): check the clocks";
            return null;
        }

        DateTimeOffset validUntil;
        if (single.NextUpdate is { } next)
        {
            validUntil = next + skew;
        }
        else
        {
            validUntil = single.ThisUpdate + NoNextUpdateLifetime + skew;
        }

        if (at > validUntil)
        {
            why = single.NextUpdate is { } stale
                ? $"sent a stale answer (nextUpdate {Durations.Instant(stale)} has passed)"
                : $"sent an answer without nextUpdate issued more than {Durations.Humanize(NoNextUpdateLifetime)} ago ({Durations.Instant(single.ThisUpdate)})";
            return null;
        }

        why = string.Empty;
        return new OcspAnswer(single.Status, single.ThisUpdate, single.NextUpdate, validUntil, response.ProducedAt, single.RevokedAt, single.Reason, signedBy);
    }

    /// <summary>The issuer when the ResponderID names it (by name or key hash), else the matching delegated responder
    /// certificate from the answer if the issuer authorised it.</summary>
    private static X509Certificate2? FindSigner(OcspResponse response, X509Certificate2 issuer, DateTimeOffset at, TimeSpan skew, out string why)
    {
        why = string.Empty;
        if (Names(response, issuer))
        {
            return issuer;
        }

        var responder = response.ResponderName is { } name ? DistinguishedNames.Format(name) : $"key hash {Convert.ToHexString(response.ResponderKeyHash!)}";
        if (response.Certificates.FirstOrDefault(c => Names(response, c)) is not { } delegated)
        {
            why = $"signed its answer as {responder}, which is not {CertificateFacts.Name(issuer)}, and sent no certificate for that responder (unauthorised responder)";
            return null;
        }

        var problem = !delegated.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData) || SignedData.VerifyCertificate(delegated, issuer) != true
            ? $"its certificate {CertificateFacts.Name(delegated)} is not issued by {CertificateFacts.Name(issuer)}"
            : !CertificateFacts.AllowsExtendedUsage(delegated, OcspSigningOid) || delegated.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is null
                ? $"its certificate {CertificateFacts.Name(delegated)} lacks extended key usage OCSPSigning ({OcspSigningOid})"
                : at > CertificateFacts.NotAfter(delegated) + skew || at < CertificateFacts.NotBefore(delegated) - skew
                    ? $"its certificate {CertificateFacts.Name(delegated)} is not valid now (valid {Durations.Instant(CertificateFacts.NotBefore(delegated))} to {Durations.Instant(CertificateFacts.NotAfter(delegated))})"
                    : null;
        if (problem is not null)
        {
            why = $"signed its answer as {responder}, which is not authorised to answer for {CertificateFacts.Name(issuer)}: {problem}";
            return null;
        }

        return delegated;
    }

    private static bool Names(OcspResponse response, X509Certificate2 certificate) => response.ResponderName is { } name
        ? name.RawData.AsSpan().SequenceEqual(certificate.SubjectName.RawData)
        : response.ResponderKeyHash.AsSpan().SequenceEqual(OcspRequest.KeyHash(certificate));

    private static string StatusName(OcspResponseStatus status) => status switch
    {
        OcspResponseStatus.MalformedRequest => "malformedRequest",
        OcspResponseStatus.InternalError => "internalError",
        OcspResponseStatus.TryLater => "tryLater",
        OcspResponseStatus.SigRequired => "sigRequired",
        OcspResponseStatus.Unauthorized => "unauthorized (the responder does not serve this CA)",
        _ => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A believed OCSP answer for one certificate.</summary>
/// <param name="ValidUntil">nextUpdate + ClockSkew, or thisUpdate + <see cref="OcspAnswerCheck.NoNextUpdateLifetime"/> + ClockSkew.</param>
/// <param name="SignedBy">The issuer's name, or "delegated responder CN=…".</param>
internal sealed record OcspAnswer(
    OcspCertStatus Status,
    DateTimeOffset ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset ValidUntil,
    DateTimeOffset ProducedAt,
    DateTimeOffset? RevokedAt,
    X509RevocationReason? Reason,
    string SignedBy);
