using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>Rate limit events (2401–2409). A rate-limited request itself is a <c>RequestRejected</c> with Reason <c>RateLimited</c>.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 2401, EventName = "RateLimitPartitionsFull", Level = LogLevel.Warning,
        Message = "Rate limit {Limit} holds its {MaxPartitions} partitions; further identities share one bucket until idle ones are evicted. Raise Gateway:RateLimits:{Limit}:MaxPartitions if this is normal traffic")]
    public static partial void RateLimitPartitionsFull(this ILogger logger, string limit, int maxPartitions);

    [LoggerMessage(EventId = 2402, EventName = "RateLimitNeedsRestart", Level = LogLevel.Warning,
        Message = "Gateway:RateLimits gained {Limits}; ASP.NET Core's rate limiter registers its policies at start, so routes can name them after the next restart")]
    public static partial void RateLimitNeedsRestart(this ILogger logger, string limits);
}
