namespace MtlsGateway.Configuration;

/// <summary>How a policy treats client certificates (GATEWAY.md, "Modes").</summary>
public enum PolicyMode
{
    /// <summary>A valid, allowed client certificate is required.</summary>
    Strict,

    /// <summary>No certificate (or plaintext) is accepted; a presented certificate must still be valid and allowed.</summary>
    Permissive,
}
