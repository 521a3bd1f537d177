namespace MtlsGateway.Configuration;

/// <summary>SNI host names whose TLS is not terminated but relayed to TCP destinations.</summary>
public sealed class PassthroughOptions
{
    public List<string> Hosts { get; set; } = [];

    /// <summary><c>host:port</c> destinations.</summary>
    public List<string> Destinations { get; set; } = [];
}
