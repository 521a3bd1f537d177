using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Upstream TLS events (ids 2100-2199): what the gateway thought of a backend's server certificate.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 2101, EventName = "UpstreamCertificateRejected", Level = LogLevel.Warning,
        Message = "Backend certificate refused: {Reason} for cluster {Cluster} ({UpstreamHost}, trust store {TrustStore}): {Hint}")]
    public static partial void UpstreamCertificateRejected(this ILogger logger, string Reason, string Hint, string Cluster,
        string? UpstreamHost, string TrustStore, string? CertSubject, string? CertIssuer, string? CertSerial, string? CertSha256,
        DateTimeOffset? CertNotAfter, string? ChainStatus);
}
#pragma warning restore IDE1006
#pragma warning restore SYSLIB1015
