using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Revocation events (ids 2301-2309): CRLs fetched from distribution points, OCSP answers, and the trust-store
/// warnings <c>validate</c> prints. Names are contract: docs/observability.md lists them.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 2301, EventName = "CrlFetched", Level = LogLevel.Information,
        Message = "CRL of {Issuer} fetched from {Url} for trust store {TrustStore}: {Entries} entries, next update {NextUpdate}")]
    public static partial void CrlFetched(this ILogger logger, string Issuer, string Url, string TrustStore, int Entries, DateTimeOffset? ThisUpdate,
        DateTimeOffset? NextUpdate, bool NotModified);

    /// <summary><c>Result</c> is <c>failed</c> (unreachable, HTTP error, timeout) or <c>refused</c> (not a valid CRL of that issuer, too large).</summary>
    [LoggerMessage(EventId = 2302, EventName = "CrlFetchFailed", Level = LogLevel.Warning,
        Message = "CRL of {Issuer} from {Url} for trust store {TrustStore} {Result}: {Error}; next attempt {NextAttemptAt}")]
    public static partial void CrlFetchFailed(this ILogger logger, string Issuer, string Url, string TrustStore, string Result, string Error,
        DateTimeOffset NextAttemptAt, bool StillServing);

    [LoggerMessage(EventId = 2303, EventName = "CrlCacheFileIgnored", Level = LogLevel.Warning,
        Message = "CRL cache file {Path} (for {Url}) ignored: {Error}")]
    public static partial void CrlCacheFileIgnored(this ILogger logger, string Path, string Url, string Error);

    [LoggerMessage(EventId = 2304, EventName = "CrlCacheWriteFailed", Level = LogLevel.Warning,
        Message = "CRL from {Url} could not be written to the cache folder {Folder}: {Error}")]
    public static partial void CrlCacheWriteFailed(this ILogger logger, string Url, string Folder, string Error);

    [LoggerMessage(EventId = 2305, EventName = "OcspAnswered", Level = LogLevel.Information,
        Message = "OCSP responder {Url} answered {Status} for serial {Serial} of {Issuer} (trust store {TrustStore}), next update {NextUpdate}")]
    public static partial void OcspAnswered(this ILogger logger, string Issuer, string Serial, string Url, string TrustStore, string Status, DateTimeOffset ThisUpdate,
        DateTimeOffset? NextUpdate, string SignedBy);

    /// <summary><c>Result</c> is <c>failed</c> (unreachable, HTTP error, timeout) or <c>refused</c> (an answer not believed: its
    /// signer, signature, CertID or times; a responder error status; too large).</summary>
    [LoggerMessage(EventId = 2306, EventName = "OcspFailed", Level = LogLevel.Warning,
        Message = "OCSP for serial {Serial} of {Issuer} (trust store {TrustStore}) {Result}: {Error}; next attempt {NextAttemptAt}")]
    public static partial void OcspFailed(this ILogger logger, string Issuer, string Serial, string TrustStore, string Result, string Error,
        DateTimeOffset NextAttemptAt, bool StillServing);

    /// <summary>One of the warnings <c>validate</c> prints (a set-up that will refuse clients), logged at start and after each reload.</summary>
    [LoggerMessage(EventId = 2309, EventName = "TrustStoreWarning", Level = LogLevel.Warning,
        Message = "Trust store {TrustStore}: {Path}: {Warning}")]
    public static partial void TrustStoreWarning(this ILogger logger, string TrustStore, string Path, string Warning);
}
