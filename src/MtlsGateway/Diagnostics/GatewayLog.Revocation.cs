using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Online revocation events (ids 2200-2299): CRLs fetched from distribution points. Names are contract:
/// docs/observability.md lists them.</summary>
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
}
