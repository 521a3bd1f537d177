using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Limits, shutdown and secret-hygiene events (51xx). Names are contract: docs/configuration.md and
/// docs/security.md list them.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    /// <summary>Written for the first connection refused over the limit, then at most once per summary interval,
    /// <c>Refused</c> counting every refusal since the previous event (metrics count each one).</summary>
    [LoggerMessage(EventId = 5101, EventName = "ConnectionLimitReached", Level = LogLevel.Warning,
        Message = "Listener {Listener} holds {Limit} connections (Gateway:Limits:MaxConcurrentConnections): {Refused} new connections closed since the last report, latest from {RemoteIp}")]
    public static partial void ConnectionLimitReached(this ILogger logger, string Listener, int Limit, long Refused, string? RemoteIp);

    [LoggerMessage(EventId = 5102, EventName = "ShutdownStarted", Level = LogLevel.Information,
        Message = "Shutdown requested: /readyz now answers 503; listeners keep accepting for {PreStopDelay}, then close and requests in flight get {DrainTimeout} to finish")]
    public static partial void ShutdownStarted(this ILogger logger, TimeSpan PreStopDelay, TimeSpan DrainTimeout);

    [LoggerMessage(EventId = 5103, EventName = "ListenersClosing", Level = LogLevel.Information,
        Message = "Closing the listeners: no new connection is accepted; draining requests in flight for up to {DrainTimeout}")]
    public static partial void ListenersClosing(this ILogger logger, TimeSpan DrainTimeout);

    [LoggerMessage(EventId = 5104, EventName = "ShutdownCompleted", Level = LogLevel.Information,
        Message = "Shutdown complete after {Duration:0.###} s")]
    public static partial void ShutdownCompleted(this ILogger logger, double Duration);

    /// <summary>Path and mode only: never anything read from the file.</summary>
    [LoggerMessage(EventId = 5105, EventName = "KeyFileReadable", Level = LogLevel.Warning,
        Message = "Private key file {KeyFile} ({ConfigPath}) is readable by other users (mode {Mode}); restrict it, e.g. chmod 600 (or 640/440 for a group the gateway runs in)")]
    public static partial void KeyFileReadable(this ILogger logger, string KeyFile, string ConfigPath, string Mode);

    [LoggerMessage(EventId = 5106, EventName = "TlsBufferReleaseUnavailable", Level = LogLevel.Warning,
        Message = "Gateway:Limits:ReleaseTlsBuffers is on but this runtime does not expose OpenSSL sessions as expected ({Runtime}, {Os}); idle TLS connections keep their record buffers (~32 KiB each). Set it to false to silence this")]
    public static partial void TlsBufferReleaseUnavailable(this ILogger logger, string Runtime, string Os);

    [LoggerMessage(EventId = 5107, EventName = "SingleCpuSlowWarmup", Level = LogLevel.Information,
        Message = "One CPU and {Variable} unset: .NET waits ten times longer before it optimises hot code, so the first 35-40 s under load run at about a quarter speed; set {Variable}=1 (the image and the systemd unit do)")]
    public static partial void SingleCpuSlowWarmup(this ILogger logger, string Variable);
}
