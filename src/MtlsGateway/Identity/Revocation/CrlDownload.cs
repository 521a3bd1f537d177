namespace MtlsGateway.Identity.Revocation;

/// <summary>What one GET of a distribution point gave: a body, "not modified", or why nothing usable came.</summary>
internal sealed record CrlDownload(CrlDownloadStatus Status, byte[]? Body, string? ETag, DateTimeOffset? LastModified, string? Error)
{
    public static CrlDownload Failed(string error) => new(CrlDownloadStatus.Failed, null, null, null, error);

    public static CrlDownload Refused(string error) => new(CrlDownloadStatus.Refused, null, null, null, error);
}

internal enum CrlDownloadStatus
{
    Ok,
    NotModified,

    /// <summary>The point could not be reached or answered with an error.</summary>
    Failed,

    /// <summary>The point answered with something the gateway will not take (too large, redirected elsewhere).</summary>
    Refused,
}
