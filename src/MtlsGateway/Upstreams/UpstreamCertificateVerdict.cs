namespace MtlsGateway.Upstreams;

/// <summary>Why a backend's server certificate was refused: a machine reason, a hint for ops, the chain flags.</summary>
internal sealed record UpstreamCertificateVerdict(string Reason, string Hint, string? ChainStatus = null);
