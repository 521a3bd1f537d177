namespace MtlsGateway.Configuration;

/// <summary><c>Gateway:Listeners:NAME:ProxyProtocol</c>, bound from configuration.</summary>
public sealed class ProxyProtocolOptions
{
    public ProxyProtocolMode Mode { get; set; } = ProxyProtocolMode.Off;

    /// <summary>CIDR blocks (or single addresses) of the load balancers allowed to send a header.</summary>
    public List<string> TrustedNetworks { get; set; } = [];
}
