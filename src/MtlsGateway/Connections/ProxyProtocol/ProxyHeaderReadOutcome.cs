namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>How reading a connection's PROXY protocol header ended.</summary>
public enum ProxyHeaderReadOutcome
{
    /// <summary>A valid header was read and consumed.</summary>
    Header,

    /// <summary>The client's first bytes are not a header; nothing was consumed.</summary>
    Absent,

    /// <summary>A header signature, then bytes that are not a valid header.</summary>
    Invalid,

    /// <summary>The header was not complete within the deadline.</summary>
    TimedOut,

    /// <summary>The peer closed without sending a byte (a port probe).</summary>
    Closed,
}
