using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Forwarded-header events (22xx, within the policies' 2xxx). Names are contract: docs/observability.md
/// and docs/identity-headers.md list them.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class GatewayLog
{
    /// <summary>Header names only, never their values (a forged certificate or identity).</summary>
    [LoggerMessage(EventId = 2201, EventName = "ForwardingHeadersDropped", Level = LogLevel.Debug,
        Message = "Dropped client-sent header(s) {Headers} that only the gateway may set (from {RemoteIp}, connection {ConnectionId}; logged once per connection)")]
    public static partial void ForwardingHeadersDropped(this ILogger logger, string Headers, string? RemoteIp, string ConnectionId);
}
