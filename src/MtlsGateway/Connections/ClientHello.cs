namespace MtlsGateway.Connections;

/// <summary>What the gateway needs from a ClientHello: the SNI host name (routing) and the ALPN list (logs).</summary>
/// <param name="ServerName">The <c>host_name</c> of the server_name extension, or null when the client sent none.</param>
/// <param name="ApplicationProtocols">The ALPN protocols offered, comma-separated, or null when none.</param>
/// <param name="Length">Bytes on the wire up to the end of the hello's last record (record headers included).</param>
public sealed record ClientHello(string? ServerName, string? ApplicationProtocols, int Length);
