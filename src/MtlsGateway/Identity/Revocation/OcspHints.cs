using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>What ops read when OCSP decided, or could not establish, a certificate's status.</summary>
internal static class OcspHints
{
    public static string Revoked(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, OcspAnswer answer, string url)
    {
        var why = answer.Reason switch
        {
            null => string.Empty,
            X509RevocationReason.CertificateHold => " (reason certificateHold: on hold until the responder answers good again)",
            { } reason => $" (reason {VerificationHints.ReasonName(reason)})",
        };
        var when = answer.RevokedAt is { } at ? $" on {Durations.Instant(at)}" : string.Empty;
        return $"{Who(certificate, isLeaf)} revoked{when}{why} according to the OCSP responder {url} of {CertificateFacts.Name(issuer)} (answer of {Durations.Instant(answer.ThisUpdate)})";
    }

    public static string AnsweredUnknown(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, string url) =>
        $"the OCSP responder {url} answers 'unknown' for {Who(certificate, isLeaf)}: it does not know that certificate of {CertificateFacts.Name(issuer)}; ask the partner whether the responder serves this CA, or add the CA's CRL to CrlFiles";

    public static string NoAnswer(X509Certificate2 certificate, bool isLeaf, X509Certificate2 issuer, OcspEntry entry, DateTimeOffset at)
    {
        var state = entry.State;
        var what = state switch
        {
            { Answer.NextUpdate: { } next } when at > state.Answer.ValidUntil =>
                $"its last answer expired at {Durations.Instant(next)} (nextUpdate){(state.LastError is { } error ? $" and the last request failed: {error}" : string.Empty)}",
            { LastError: { } error } => error,
            _ => $"no answer yet from {string.Join(", ", entry.Urls)} (request under way)",
        };
        return $"no current OCSP answer for {Who(certificate, isLeaf)} of {CertificateFacts.Name(issuer)} ({what}) at {Durations.Instant(at)}; the gateway asks again — check that it reaches the responder, or add the CA's CRL to CrlFiles";
    }

    public static string TooManyTracked(X509Certificate2 issuer, int limit) =>
        $"the gateway already tracks {limit} OCSP answers, its limit, so certificates of {CertificateFacts.Name(issuer)} are not asked about; add that CA's CRL to CrlFiles";

    /// <summary>Why the certificate names no responder the gateway may ask.</summary>
    public static string NoResponder(OcspResponders responders) =>
        responders.Problem
        ?? (responders.Ignored.Count > 0
            ? $"names no http:// OCSP responder (ignored: {string.Join(", ", responders.Ignored)})"
            : "names no OCSP responder");

    private static string Who(X509Certificate2 certificate, bool isLeaf)
    {
        var serial = Fingerprints.Serial(certificate.SerialNumber);
        return isLeaf ? $"serial {serial}" : $"issuing CA {CertificateFacts.Name(certificate)} (serial {serial})";
    }
}
