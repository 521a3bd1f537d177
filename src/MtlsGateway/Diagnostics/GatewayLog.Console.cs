using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Events of the ops console (partner registry, Report mode): ids 7001–7009.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    /// <summary>An admitted partner's certificate expires within <c>Gateway:Diagnostics:ClientExpiryWarning</c>:
    /// at most once a day per certificate.</summary>
    [LoggerMessage(EventId = 7001, EventName = "ClientCertificateExpiring", Level = LogLevel.Warning,
        Message = "Client certificate {CertSubject} (policy {Policy}) expires in {DaysLeft} days, at {CertNotAfter}; ask the partner to renew it before their calls are refused")]
    public static partial void ClientCertificateExpiring(this ILogger logger, string CertSubject, string CertSha256, DateTimeOffset CertNotAfter,
        int DaysLeft, string Policy, string? RemoteIp);

    public static void CertificateReported(this ILogger logger, RefusalDetails d) => CertificateReported(
        logger, d.Reason, d.Hint, d.RemoteIp, d.RemotePort, d.Listener, d.Sni, d.Host, d.Route, d.Policy, d.TrustStore,
        d.TlsProtocol, d.CertSubject, d.CertIssuer, d.CertSerial, d.CertSha256, d.CertNotBefore, d.CertNotAfter, d.CertDns,
        d.CertUris, d.ChainStatus, d.ConnectionId, d.TraceId);

    /// <summary>A Permissive policy with <c>InvalidCertificate: Report</c> admitted a certificate that failed: what Strict would refuse.</summary>
    [LoggerMessage(EventId = 7002, EventName = "CertificateReported", Level = LogLevel.Warning,
        Message = "Admitted without identity (InvalidCertificate: Report): {Reason} from {RemoteIp} for {Host} (route {Route}, policy {Policy}); Strict would refuse it: {Hint}")]
    private static partial void CertificateReported(ILogger logger, RejectReason Reason, string Hint, string? RemoteIp, int RemotePort,
        string? Listener, string? Sni, string? Host, string? Route, string? Policy, string? TrustStore, string? TlsProtocol,
        string? CertSubject, string? CertIssuer, string? CertSerial, string? CertSha256, DateTimeOffset? CertNotBefore,
        DateTimeOffset? CertNotAfter, string? CertDns, string? CertUris, string? ChainStatus, string? ConnectionId, string? TraceId);
}
#pragma warning restore IDE1006
#pragma warning restore SYSLIB1015
