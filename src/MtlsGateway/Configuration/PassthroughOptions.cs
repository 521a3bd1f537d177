namespace MtlsGateway.Configuration;

/// <summary>SNI host names whose TLS is not terminated but relayed to TCP destinations.</summary>
public sealed class PassthroughOptions
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(5);

    public List<string> Hosts { get; set; } = [];

    /// <summary><c>host:port</c> destinations. Each connection starts at the next one in turn (round-robin) and
    /// fails over to the following ones when a connect is refused or times out.</summary>
    public List<string> Destinations { get; set; } = [];

    /// <summary>Send a PROXY protocol v2 header to the destination before the client's bytes, carrying the client's
    /// address (after any PROXY header the listener itself accepted). The destination must expect it [false].</summary>
    public bool SendProxyProtocol { get; set; }

    /// <summary>How long one connect attempt to a destination may take before the next one is tried [5 s].</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>A relayed connection with no byte in either direction for this long is closed [5 min].</summary>
    public TimeSpan IdleTimeout { get; set; } = DefaultIdleTimeout;

    /// <summary>At shutdown, how long open relays may go on before they are closed [5 s]. Keep it below the
    /// host's shutdown timeout (30 s), after which Kestrel aborts every connection anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;
}
