using MtlsGateway.Diagnostics;

namespace MtlsGateway.Tls;

/// <summary>Why the gateway refused a handshake, recorded where the decision was made.</summary>
public sealed record HandshakeRefusal(RejectReason Reason, string Hint, string? Policy, string? TrustStore, string? ChainStatus);
