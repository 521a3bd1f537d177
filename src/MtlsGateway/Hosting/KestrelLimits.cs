using Microsoft.AspNetCore.Server.Kestrel.Core;
using MtlsGateway.Configuration;

namespace MtlsGateway.Hosting;

/// <summary>Applies <c>Gateway:Limits</c> to Kestrel's server-wide limits.</summary>
internal static class KestrelLimits
{
    public static void Apply(KestrelServerLimits kestrel, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(limits);
        // The connection limit is ours, per partner listener (ConnectionGate): Kestrel's would also count the admin
        // listener, so a flood would hide /readyz and /metrics, and it logs a warning for every refused connection.
        kestrel.MaxConcurrentConnections = null;
        kestrel.MaxConcurrentUpgradedConnections = limits.MaxConcurrentUpgradedConnections;
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = Rate(limits.MinRequestBodyDataRate, limits.MinDataRateGracePeriod);
        kestrel.MinResponseDataRate = Rate(limits.MinResponseDataRate, limits.MinDataRateGracePeriod);
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize;
    }

    private static MinDataRate? Rate(double bytesPerSecond, TimeSpan gracePeriod) =>
        bytesPerSecond > 0 ? new MinDataRate(bytesPerSecond, gracePeriod) : null;
}
