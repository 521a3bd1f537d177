namespace MtlsGateway.Configuration;

/// <summary>Whether a listener expects a PROXY protocol header (v1 or v2) before the client's first byte.</summary>
public enum ProxyProtocolMode
{
    /// <summary>No header is read: the TCP peer is the client.</summary>
    Off,

    /// <summary>Every connection must come from a trusted network and start with a valid header.</summary>
    Required,

    /// <summary>A header is read when one is sent (from a trusted network); connections without one are served as is.</summary>
    Optional,
}
