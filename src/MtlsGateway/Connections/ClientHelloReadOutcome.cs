namespace MtlsGateway.Connections;

/// <summary>How waiting for a client's ClientHello ended.</summary>
public enum ClientHelloReadOutcome
{
    /// <summary>A complete, well-formed ClientHello is buffered (and still unconsumed).</summary>
    Hello,

    /// <summary>The client closed or reset the connection before sending a byte: a port probe or an L4 health check.</summary>
    Closed,

    /// <summary>The hello was not complete within the listener's handshake timeout.</summary>
    TimedOut,

    /// <summary>The first byte is not a TLS handshake record (plain HTTP, another protocol, garbage).</summary>
    NotTls,

    /// <summary>A TLS record that is not a well-formed ClientHello, one too large, or one cut short by the client.</summary>
    Malformed,
}
