using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// The gateway's log events. Event names are contract (ops alert on them): never rename one.
/// Ids: 1xxx TLS, 2xxx policies, 3xxx configuration, 4xxx passthrough, 5xxx admin and host.
/// </summary>
/// <remarks>Refusal events carry every field of <see cref="RefusalDetails"/> as a property; the message shows the
/// few a person reads first. The generator names a property after its parameter, hence PascalCase parameters.</remarks>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    public static void HandshakeFailed(this ILogger logger, RefusalDetails d) => HandshakeFailed(
        logger, d.Reason, d.Hint, d.RemoteIp, d.RemotePort, d.Listener, d.Sni, d.Host, d.Route, d.Policy, d.TrustStore,
        d.TlsProtocol, d.CertSubject, d.CertIssuer, d.CertSerial, d.CertSha256, d.CertNotBefore, d.CertNotAfter, d.CertDns,
        d.CertUris, d.ChainStatus, d.ConnectionId, d.FailedSide, d.Partner);

    public static void RequestRejected(this ILogger logger, RefusalDetails d) => RequestRejected(
        logger, d.Reason, d.Hint, d.RemoteIp, d.RemotePort, d.Listener, d.Sni, d.Host, d.Route, d.Policy, d.TrustStore,
        d.TlsProtocol, d.CertSubject, d.CertIssuer, d.CertSerial, d.CertSha256, d.CertNotBefore, d.CertNotAfter, d.CertDns,
        d.CertUris, d.ChainStatus, d.ConnectionId, d.TraceId, d.Partner);

    [LoggerMessage(EventId = 1001, EventName = "HandshakeFailed", Level = LogLevel.Warning,
        Message = "TLS handshake refused: {Reason} from {RemoteIp} (SNI {Sni}, policy {Policy}): {Hint}")]
    private static partial void HandshakeFailed(ILogger logger, RejectReason Reason, string Hint, string? RemoteIp, int RemotePort,
        string? Listener, string? Sni, string? Host, string? Route, string? Policy, string? TrustStore, string? TlsProtocol,
        string? CertSubject, string? CertIssuer, string? CertSerial, string? CertSha256, DateTimeOffset? CertNotBefore,
        DateTimeOffset? CertNotAfter, string? CertDns, string? CertUris, string? ChainStatus, string? ConnectionId, string? FailedSide, string? Partner);

    [LoggerMessage(EventId = 2001, EventName = "RequestRejected", Level = LogLevel.Warning,
        Message = "Request refused: {Reason} from {RemoteIp} for {Host} (route {Route}, policy {Policy}): {Hint}")]
    private static partial void RequestRejected(ILogger logger, RejectReason Reason, string Hint, string? RemoteIp, int RemotePort,
        string? Listener, string? Sni, string? Host, string? Route, string? Policy, string? TrustStore, string? TlsProtocol,
        string? CertSubject, string? CertIssuer, string? CertSerial, string? CertSha256, DateTimeOffset? CertNotBefore,
        DateTimeOffset? CertNotAfter, string? CertDns, string? CertUris, string? ChainStatus, string? ConnectionId, string? TraceId, string? Partner);

    [LoggerMessage(EventId = 2002, EventName = "RevocationUnknownAllowed", Level = LogLevel.Warning,
        Message = "Admitted {CertSubject} although revocation status is unknown (trust store {TrustStore} has RevocationFailure=Allow): {Warning}")]
    public static partial void RevocationUnknownAllowed(this ILogger logger, string certSubject, string trustStore, string warning);

    [LoggerMessage(EventId = 3001, EventName = "ConfigLoaded", Level = LogLevel.Information,
        Message = "Configuration version {Version} loaded from {ConfigPath} (hash {Hash})")]
    public static partial void ConfigLoaded(this ILogger logger, long version, string configPath, string hash);

    [LoggerMessage(EventId = 5002, EventName = "DemoBackendStarted", Level = LogLevel.Information,
        Message = "Demo echo backend listening on {Address} (development only)")]
    public static partial void DemoBackendStarted(this ILogger logger, string address);

    [LoggerMessage(EventId = 5003, EventName = "BackendFailed", Level = LogLevel.Warning,
        Message = "Backend for route {Route} failed: {ForwarderError} ({Status}): {Detail} (trace {TraceId})")]
    public static partial void BackendFailed(this ILogger logger, string? route, string forwarderError, int status, string? detail, string traceId);
}
#pragma warning restore IDE1006
#pragma warning restore SYSLIB1015
