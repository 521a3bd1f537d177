using System.Diagnostics.Metrics;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// PROXY protocol instruments on the gateway's <c>MtlsGateway</c> meter (published on /metrics): headers accepted
/// by listener and version, connections refused by listener and reason. Both tag sets are bounded.
/// </summary>
public sealed class ProxyProtocolMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _refused;

    public ProxyProtocolMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Diagnostics.GatewayMetrics.MeterName);
        _accepted = meter.CreateCounter<long>("mtls_gateway.proxy_protocol.headers", "{connection}",
            "PROXY protocol headers accepted, by listener and version (1, 2).");
        _refused = meter.CreateCounter<long>("mtls_gateway.proxy_protocol.refusals", "{connection}",
            "Connections refused before TLS for their PROXY protocol header, by listener and reason.");
    }

    public void Accepted(string listener, int version) =>
        _accepted.Add(1, new("listener", listener), new("version", version == 1 ? "1" : "2"));

    public void Refused(string listener, ProxyProtocolRefusal reason) =>
        _refused.Add(1, new("listener", listener), new("reason", reason.ToString()));
}
