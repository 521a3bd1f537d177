namespace MtlsGateway.Connections;

/// <summary>Where parsing a buffered ClientHello got to.</summary>
public enum ClientHelloStatus
{
    /// <summary>More bytes are needed; nothing is wrong so far.</summary>
    Incomplete,

    /// <summary>The whole ClientHello was read.</summary>
    Complete,

    /// <summary>Not a TLS ClientHello, or one whose lengths do not add up.</summary>
    Malformed,

    /// <summary>A ClientHello larger than the gateway reads before routing (<see cref="ClientHelloParser.MaxHelloLength"/>).</summary>
    TooLarge,
}
