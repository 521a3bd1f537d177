using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Connections;

/// <summary>Connection instruments on the gateway's meter (published on /metrics): connections open now and
/// connections closed over <c>Gateway:Limits:MaxConcurrentConnections</c>, by listener.</summary>
internal sealed class ConnectionMetrics
{
    private readonly ConcurrentDictionary<string, ConnectionGate> _gates = new(StringComparer.Ordinal);
    private readonly Counter<long> _refused;

    public ConnectionMetrics(GatewayMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _refused = metrics.Meter.CreateCounter<long>("mtls_gateway.connections.refused", "{connection}",
            "Connections closed on arrival because their listener held Gateway:Limits:MaxConcurrentConnections, by listener.");
        metrics.Meter.CreateObservableGauge("mtls_gateway.connections.open", ObserveOpen, "{connection}",
            "Connections open now on each partner listener (TLS handshakes and passthrough relays included).");
    }

    public void Track(ConnectionGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        _gates[gate.Listener] = gate;
    }

    public void Refused(string listener) => _refused.Add(1, new KeyValuePair<string, object?>("listener", listener));

    private IEnumerable<Measurement<long>> ObserveOpen() =>
        _gates.Values.Select(g => new Measurement<long>(g.Open, new KeyValuePair<string, object?>("listener", g.Listener)));
}
