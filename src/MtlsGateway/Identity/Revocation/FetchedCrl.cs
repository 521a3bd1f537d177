using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// One distribution point of one issuer (name + key) for one trust store: the list last fetched from it and when to
/// fetch again. <see cref="State"/> is replaced whole, so a handshake reads a consistent view without a lock; only the
/// one fetch in flight (<see cref="Fetch"/>) writes it.
/// </summary>
internal sealed class FetchedCrl
{
    public FetchedCrl(string trustStore, X509Certificate2 issuer, string url, string? cacheFolder, long maxSize, TimeSpan clockSkew)
    {
        TrustStore = trustStore;
        Issuer = issuer;
        Url = url;
        CacheFolder = cacheFolder;
        MaxSize = maxSize;
        ClockSkew = clockSkew;
        // The first sight starts the first fetch; the background refresh takes over once it completed.
        State = new FetchedCrlState(null, null, null, null, null, null, DateTimeOffset.MaxValue, 0, Attempted: false);
    }

    public string TrustStore { get; }

    /// <summary>A copy of the issuing CA (chain elements are disposed after each verification).</summary>
    public X509Certificate2 Issuer { get; }

    public string IssuerName => DistinguishedNames.Format(Issuer.SubjectName);

    public string Url { get; }

    public string? CacheFolder { get; }

    public long MaxSize { get; }

    public TimeSpan ClockSkew { get; }

    public FetchedCrlState State { get; set; }

    public SingleFlight Fetch { get; } = new();

    /// <summary>Whether the held list still proves "not revoked" at <paramref name="at"/> (its nextUpdate + ClockSkew).</summary>
    public bool IsCurrent(DateTimeOffset at) =>
        State.Crl is { } crl && (crl.NextUpdate is not { } next || at <= next + ClockSkew);
}

/// <param name="Crl">The newest list fetched (or read from the cache folder) and verified with the issuer's key.</param>
/// <param name="ETag">For the conditional GET of the next refresh.</param>
/// <param name="LastModified">For the conditional GET of the next refresh.</param>
/// <param name="LastFetchAt">When the point last answered or failed.</param>
/// <param name="LastResult"><c>ok</c>, <c>failed</c> or <c>refused</c>.</param>
/// <param name="LastError">Why the last fetch gave nothing usable.</param>
/// <param name="NextAttemptAt">When the background refresh fetches again.</param>
/// <param name="Failures">Fetches failed in a row (the back-off grows with them).</param>
/// <param name="Attempted">Whether a fetch has completed: until then a handshake may wait for the first one.</param>
internal sealed record FetchedCrlState(
    RevocationList? Crl,
    string? ETag,
    DateTimeOffset? LastModified,
    DateTimeOffset? LastFetchAt,
    string? LastResult,
    string? LastError,
    DateTimeOffset NextAttemptAt,
    int Failures,
    bool Attempted);
