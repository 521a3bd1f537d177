using System.Diagnostics.Metrics;

namespace MtlsGateway.Passthrough;

/// <summary>
/// Passthrough instruments on the gateway's <c>MtlsGateway</c> meter (published on /metrics): connections opened,
/// closed by outcome, open now, their duration, and bytes each way. Every instrument is tagged with the
/// <c>Gateway:Passthrough</c> entry name, a bounded set.
/// </summary>
public sealed class PassthroughMetrics
{
    public const string FromClient = "from_client";
    public const string ToClient = "to_client";

    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytes;

    public PassthroughMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Diagnostics.GatewayMetrics.MeterName);
        _opened = meter.CreateCounter<long>("mtls_gateway.passthrough.connections.opened", "{connection}",
            "Passthrough connections relayed to a destination.");
        _closed = meter.CreateCounter<long>("mtls_gateway.passthrough.connections.closed", "{connection}",
            "Passthrough connections ended, by outcome (NoDestination: never opened).");
        _active = meter.CreateUpDownCounter<long>("mtls_gateway.passthrough.connections.active", "{connection}",
            "Passthrough connections open now.");
        _duration = meter.CreateHistogram<double>("mtls_gateway.passthrough.connection.duration", "s",
            "How long passthrough connections stayed open.");
        _bytes = meter.CreateCounter<long>("mtls_gateway.passthrough.bytes", "By",
            "Bytes relayed, by direction (from_client: client to destination; to_client: destination to client).");
    }

    public void Opened(string entry)
    {
        var tag = new KeyValuePair<string, object?>("entry", entry);
        _opened.Add(1, tag);
        _active.Add(1, tag);
    }

    public void Closed(string entry, PassthroughOutcome outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("entry", entry);
        _closed.Add(1, tag, new("outcome", outcome.ToString()));
        if (outcome != PassthroughOutcome.NoDestination)
        {
            _active.Add(-1, tag);
            _duration.Record(duration.TotalSeconds, tag);
        }
    }

    /// <summary>Called per relayed chunk: the tag overloads take no array, so this allocates nothing.</summary>
    public void Relayed(string entry, string direction, long bytes) =>
        _bytes.Add(bytes, new("entry", entry), new("direction", direction));
}
