using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// One certificate (issuer name + key, serial) asked about over OCSP: the answer last believed, and when to ask again.
/// <see cref="State"/> is replaced whole, so a handshake reads a consistent view without a lock; only the one fetch
/// in flight (<see cref="Fetch"/>) writes it.
/// </summary>
internal sealed class OcspEntry
{
    private long _lastSeenTicks;

    public OcspEntry(string trustStore, X509Certificate2 issuer, string serial, OcspCertId certId, byte[] request, IReadOnlyList<string> urls, TimeSpan clockSkew, DateTimeOffset now)
    {
        TrustStore = trustStore;
        Issuer = issuer;
        IssuerName = CertificateFacts.Name(issuer);
        Serial = serial;
        CertId = certId;
        Request = request;
        Urls = urls;
        ClockSkew = clockSkew;
        _lastSeenTicks = now.UtcTicks;
        State = new OcspState(null, null, null, null, null, null, DateTimeOffset.MaxValue, 0, Attempted: false);
    }

    /// <summary>The trust store that first asked (metrics and <c>/api/revocation</c>).</summary>
    public string TrustStore { get; }

    /// <summary>A copy of the issuing CA (chain elements are disposed after each verification).</summary>
    public X509Certificate2 Issuer { get; }

    public string IssuerName { get; }

    /// <summary>The certificate's serial, upper-case hex.</summary>
    public string Serial { get; }

    public OcspCertId CertId { get; }

    /// <summary>The DER OCSPRequest, built once.</summary>
    public byte[] Request { get; }

    /// <summary>The certificate's <c>http://</c> OCSP responders, in the order its AIA lists them.</summary>
    public IReadOnlyList<string> Urls { get; }

    public TimeSpan ClockSkew { get; }

    public OcspState State { get; set; }

    public SingleFlight Fetch { get; } = new();

    /// <summary>When a verification last asked about this certificate: only certificates seen since the last answer are refreshed.</summary>
    public DateTimeOffset LastSeenAt => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    public void Seen(DateTimeOffset at) => Interlocked.Exchange(ref _lastSeenTicks, at.UtcTicks);

    /// <summary>Whether the held answer still establishes the status at <paramref name="at"/>.</summary>
    public bool IsCurrent(DateTimeOffset at) =>
        State.Answer is { } answer && at <= answer.ValidUntil && at >= answer.ThisUpdate - ClockSkew;
}

/// <param name="Answer">The newest believed answer.</param>
/// <param name="Url">The responder that gave it.</param>
/// <param name="FetchedAt">When it arrived.</param>
/// <param name="LastFetchAt">When a responder last answered or failed.</param>
/// <param name="LastResult"><c>good</c>, <c>revoked</c>, <c>unknown</c>, <c>failed</c> or <c>refused</c>.</param>
/// <param name="LastError">Why the last fetch gave nothing usable.</param>
/// <param name="NextAttemptAt">When to ask again (a refresh before nextUpdate, or a retry after a failure).</param>
/// <param name="Failures">Fetches failed in a row.</param>
/// <param name="Attempted">Whether a fetch has completed.</param>
internal sealed record OcspState(
    OcspAnswer? Answer,
    string? Url,
    DateTimeOffset? FetchedAt,
    DateTimeOffset? LastFetchAt,
    string? LastResult,
    string? LastError,
    DateTimeOffset NextAttemptAt,
    int Failures,
    bool Attempted);
