namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>What <see cref="ProxyHeaderReader"/> found: the header, or why there is none.</summary>
public sealed record ProxyHeaderReadResult(ProxyHeaderReadOutcome Outcome, ProxyHeader? Header, long BytesRead, string? Problem);
