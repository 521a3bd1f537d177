namespace MtlsGateway.Configuration;

/// <summary>Whose requests share one token bucket of a <see cref="RateLimitOptions"/> limit.</summary>
public enum RateLimitPartitionBy
{
    /// <summary>The client certificate's SHA-256; a request without a verified certificate falls back to its remote IP.</summary>
    Certificate,

    /// <summary>The policy's partner that admitted the certificate; without one, the remote IP.</summary>
    Partner,

    /// <summary>The policy that admitted the request: every client of the route's policy shares one bucket.</summary>
    Policy,

    /// <summary>The client's address (after a trusted PROXY header).</summary>
    RemoteIp,
}
