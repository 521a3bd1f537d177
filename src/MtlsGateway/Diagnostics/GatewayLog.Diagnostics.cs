using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Events of the diagnostics themselves: refusal summaries and the per-request line.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    public static void RefusalsSummarised(this ILogger logger, RefusalSummary s)
    {
        var d = s.Details;
        RefusalsSummarised(
            logger, s.Stage.EventName(), s.Count, s.FirstSeen, s.LastSeen,
            d.Reason, d.Hint, d.RemoteIp, d.RemotePort, d.Listener, d.Sni, d.Host, d.Route, d.Policy, d.TrustStore,
            d.TlsProtocol, d.CertSubject, d.CertIssuer, d.CertSerial, d.CertSha256, d.CertNotBefore, d.CertNotAfter, d.CertDns,
            d.CertUris, d.ChainStatus, d.ConnectionId, d.FailedSide, d.Partner);
    }

    /// <summary>Repeats of one refusal after the first (logged in full) within one summary interval. The fields are
    /// those of the first refusal of the source; <c>Event</c> names the event it stands for.</summary>
    [LoggerMessage(EventId = 2003, EventName = "RefusalsSummarised", Level = LogLevel.Warning,
        Message = "{Count} more {Event} {Reason} from {RemoteIp} (policy {Policy}, cert {CertSha256}) between {FirstSeen} and {LastSeen}: {Hint}")]
    private static partial void RefusalsSummarised(ILogger logger, string Event, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
        RejectReason Reason, string Hint, string? RemoteIp, int RemotePort,
        string? Listener, string? Sni, string? Host, string? Route, string? Policy, string? TrustStore, string? TlsProtocol,
        string? CertSubject, string? CertIssuer, string? CertSerial, string? CertSha256, DateTimeOffset? CertNotBefore,
        DateTimeOffset? CertNotAfter, string? CertDns, string? CertUris, string? ChainStatus, string? ConnectionId, string? FailedSide, string? Partner);
}
#pragma warning restore IDE1006
#pragma warning restore SYSLIB1015
