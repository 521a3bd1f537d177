namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>What the bytes buffered so far say about a PROXY protocol header.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>A prefix of a header: more bytes are needed.</summary>
    Incomplete,

    /// <summary>A whole, valid header.</summary>
    Complete,

    /// <summary>The bytes start with neither signature: the client spoke first without a header.</summary>
    Absent,

    /// <summary>A header signature followed by something the specification does not allow, or over the size bound.</summary>
    Invalid,
}
