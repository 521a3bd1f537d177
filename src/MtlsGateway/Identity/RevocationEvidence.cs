namespace MtlsGateway.Identity;

/// <summary>Which CRL decided one certificate's revocation status: shown by <c>check</c>.</summary>
/// <param name="Certificate">The certificate checked (its subject, or serial when it has none).</param>
/// <param name="Issuer">The CA whose CRL it was checked against.</param>
/// <param name="Source">The CrlFiles entry (or, fetched, the URL) the CRL came from.</param>
/// <param name="ThisUpdate">When the CRL was issued.</param>
/// <param name="NextUpdate">When the CA promised the next one, if it did.</param>
/// <param name="Revoked">Whether the CRL lists the certificate.</param>
public sealed record RevocationEvidence(string Certificate, string Issuer, string Source, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate, bool Revoked)
{
    /// <summary>"CRL certs/partner-issuing.crl of CN=…, issued 2 hours ago, next update in 22 hours" as of <paramref name="at"/>.</summary>
    public string Describe(DateTimeOffset at)
    {
        var next = NextUpdate switch
        {
            null => "no next update given",
            { } n when n >= at => $"next update in {Durations.Humanize(n - at)}",
            { } n => $"next update was due {Durations.Humanize(at - n)} ago (stale)",
        };
        return $"CRL {Source} of {Issuer}, issued {Durations.Humanize(at - ThisUpdate)} ago ({Durations.Instant(ThisUpdate)}), {next}";
    }
}
