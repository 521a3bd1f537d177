using Microsoft.Extensions.Logging;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>PROXY protocol events (60xx). Property names are documented in docs/deploy.md.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class ProxyProtocolLog
{
    // Warning, not Information: every occurrence is a misconfigured balancer or someone bypassing it.
    [LoggerMessage(EventId = 6001, EventName = "ProxyProtocolRefused", Level = LogLevel.Warning,
        Message = "Connection from {RemoteIp}:{RemotePort} on listener {Listener} refused before TLS: {Reason}: {Hint}")]
    public static partial void ProxyProtocolRefused(this ILogger logger, ProxyProtocolRefusal Reason, string Hint,
        string? RemoteIp, int RemotePort, string Listener, string ConnectionId);

    // Debug: one per connection on the hot path; the carried address is in every later event anyway.
    [LoggerMessage(EventId = 6002, EventName = "ProxyHeaderAccepted", Level = LogLevel.Debug,
        Message = "PROXY v{Version} header from {PeerIp} on listener {Listener}: client {RemoteIp}:{RemotePort}")]
    public static partial void ProxyHeaderAccepted(this ILogger logger, int Version, string? PeerIp, string Listener,
        string? RemoteIp, int RemotePort, string ConnectionId);
}
