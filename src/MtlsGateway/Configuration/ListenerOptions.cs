namespace MtlsGateway.Configuration;

/// <summary>A listener: <c>https://</c> terminates TLS (or passes it through by SNI), <c>http://</c> is plaintext.</summary>
public sealed class ListenerOptions
{
    public string? Url { get; set; }

    /// <summary>How long a client may take to complete the TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>PROXY protocol from trusted load balancers (docs/deploy.md); Off by default.</summary>
    public ProxyProtocolOptions ProxyProtocol { get; set; } = new();
}
