namespace MtlsGateway.Passthrough;

/// <summary>How a passthrough connection ended: the <c>Outcome</c> of <c>PassthroughClosed</c> and the <c>outcome</c>
/// tag of the metrics. Contract values: never rename one.</summary>
public enum PassthroughOutcome
{
    /// <summary>Both sides closed their direction (FIN) in the ordinary way.</summary>
    Completed,

    /// <summary>The client reset the connection or it failed on the client's side.</summary>
    ClientAborted,

    /// <summary>The destination reset the connection or it failed on the destination's side.</summary>
    BackendAborted,

    /// <summary>No byte moved either way for the entry's IdleTimeout.</summary>
    IdleTimeout,

    /// <summary>Still open when the gateway's shutdown drain deadline (the entry's DrainTimeout) passed.</summary>
    Shutdown,

    /// <summary>No destination of the entry accepted a connection within its ConnectTimeout.</summary>
    NoDestination,
}
