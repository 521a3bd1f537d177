using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Connections;

/// <summary>
/// Counts one listener's open connections against <c>Gateway:Limits:MaxConcurrentConnections</c>. A connection over
/// the limit is closed before a byte is read, counted in <c>mtls_gateway_connections_refused_total</c>, and reported by
/// one <c>ConnectionLimitReached</c> event per summary interval rather than one per connection: a flood at the limit
/// must not become a flood on disk. (Kestrel's own limit logs every refused connection and spans the admin listener.)
/// </summary>
internal sealed class ConnectionGate(string listener, int? limit, TimeSpan reportInterval, TimeProvider time, ILogger logger, ConnectionMetrics metrics)
{
    private readonly Lock _report = new();
    private int _open;
    private long _unreported;
    private long? _lastReport;

    public string Listener => listener;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a place for a new connection; false when the listener is full (nothing was taken).</summary>
    public bool TryEnter()
    {
        var open = Interlocked.Increment(ref _open);
        if (limit is not { } max || open <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);

    /// <summary>Records a connection closed over the limit: always counted, logged at most once per interval.</summary>
    public void Refused(string? remoteIp)
    {
        metrics.Refused(listener);
        Interlocked.Increment(ref _unreported);
        var now = time.GetTimestamp();
        lock (_report)
        {
            if (_lastReport is { } last && time.GetElapsedTime(last, now) < reportInterval)
            {
                return;
            }

            _lastReport = now;
        }

        logger.ConnectionLimitReached(listener, limit ?? 0, Interlocked.Exchange(ref _unreported, 0), remoteIp);
    }
}
