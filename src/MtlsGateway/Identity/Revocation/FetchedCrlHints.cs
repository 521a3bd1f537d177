using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>What ops read when a fetched CRL cannot establish a certificate's status.</summary>
internal static class FetchedCrlHints
{
    public static string NoDistributionPoint(X509Certificate2 certificate, X509Certificate2 issuer, CrlDistributionPoints points, string noResponder, TrustStore store)
    {
        var why = points.Problem
            ?? (points.Ignored.Count > 0
                ? $"names no http:// CRL distribution point (ignored: {string.Join(", ", points.Ignored)}; only http:// URLs are fetched)"
                : "names no CRL distribution point");
        return $"{CertificateFacts.Name(certificate)} {why} and {noResponder}, and trust store '{store.Name}' has no CRL of {CertificateFacts.Name(issuer)} in CrlFiles; add that CA's CRL to CrlFiles";
    }

    public static string TooManyTracked(X509Certificate2 issuer, int limit) =>
        $"the gateway already tracks {limit} CRL distribution points, its limit, so the CRL of {CertificateFacts.Name(issuer)} is not fetched; add it to CrlFiles";

    public static string NoCurrentCrl(X509Certificate2 issuer, IReadOnlyList<FetchedCrl> points, DateTimeOffset at)
    {
        var parts = points.Select(p => p.State switch
        {
            { Crl.NextUpdate: { } next } => $"{p.Url}: CRL expired at {Durations.Instant(next)} (NextUpdate){(p.State.LastError is { } error ? $", last fetch: {error}" : string.Empty)}",
            { LastError: { } error } => $"{p.Url}: {error}",
            _ => $"{p.Url}: fetch under way",
        });
        return $"no current CRL of {CertificateFacts.Name(issuer)} from its distribution points ({string.Join("; ", parts)}) at {Durations.Instant(at)}; the gateway keeps fetching in the background — check that it reaches them, or add the CRL to CrlFiles";
    }

    public static string Refused(string why) => $"refused: {why}";
}
