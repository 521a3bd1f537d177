namespace MtlsGateway.Identity;

/// <summary>Which CRL or OCSP answer decided one certificate's revocation status: shown by <c>check</c>.</summary>
/// <param name="Certificate">The certificate checked (its subject, or serial when it has none).</param>
/// <param name="Issuer">The CA whose CRL (or OCSP responder) it was checked against.</param>
/// <param name="Source">The CrlFiles entry, or the URL the CRL was fetched from, or the OCSP responder's URL.</param>
/// <param name="ThisUpdate">When the CRL or answer was issued.</param>
/// <param name="NextUpdate">When the CA promised the next one, if it did.</param>
/// <param name="Revoked">Whether it says the certificate is revoked.</param>
/// <param name="Kind">A CRL file, a fetched CRL or an OCSP answer.</param>
/// <param name="FetchedAt">Fetched ones: when it arrived (null: held from CrlCacheFolder or a fetch before a failed one).</param>
/// <param name="ValidUntil">OCSP: until when the answer serves (nextUpdate + ClockSkew, or the bounded life of one without).</param>
public sealed record RevocationEvidence(
    string Certificate,
    string Issuer,
    string Source,
    DateTimeOffset ThisUpdate,
    DateTimeOffset? NextUpdate,
    bool Revoked,
    RevocationEvidenceKind Kind = RevocationEvidenceKind.CrlFile,
    DateTimeOffset? FetchedAt = null,
    DateTimeOffset? ValidUntil = null)
{
    /// <summary>"not listed in CRL certs/partner-issuing.crl of CN=…, issued 2 hours ago (…), next update in 22 hours" as of <paramref name="at"/>.</summary>
    public string Describe(DateTimeOffset at)
    {
        var next = NextUpdate switch
        {
            null when Kind == RevocationEvidenceKind.Ocsp && ValidUntil is { } until => $"no next update given (served until {Durations.Instant(until)})",
            null => "no next update given",
            { } n when n >= at => $"next update in {Durations.Humanize(n - at)}",
            { } n => $"next update was due {Durations.Humanize(at - n)} ago (stale)",
        };
        var issued = $"issued {Durations.Humanize(at - ThisUpdate)} ago ({Durations.Instant(ThisUpdate)}), {next}";
        return Kind switch
        {
            RevocationEvidenceKind.Ocsp => $"{(Revoked ? "revoked" : "good")} per OCSP responder {Source} of {Issuer}, {Fetched(at)}answer {issued}",
            RevocationEvidenceKind.FetchedCrl => $"{(Revoked ? "listed" : "not listed")} in CRL fetched from {Source} ({Fetched(at).TrimEnd(',', ' ')}) of {Issuer}, {issued}",
            _ => $"{(Revoked ? "listed" : "not listed")} in CRL {Source} of {Issuer}, {issued}",
        };
    }

    private string Fetched(DateTimeOffset at) => FetchedAt is { } fetched
        ? $"fetched {Durations.Humanize(at - fetched)} ago, "
        : "held from an earlier fetch or CrlCacheFolder, ";
}

/// <summary>Where revocation evidence came from.</summary>
public enum RevocationEvidenceKind
{
    /// <summary>A CRL of <c>CrlFiles</c>.</summary>
    CrlFile,

    /// <summary>A CRL fetched from a distribution point (<c>Revocation: Online</c>).</summary>
    FetchedCrl,

    /// <summary>An OCSP answer (<c>Revocation: Online</c>).</summary>
    Ocsp,
}
