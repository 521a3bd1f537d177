using MtlsGateway.Diagnostics;

namespace MtlsGateway.Tls;

/// <summary>Why the gateway refused a handshake, recorded where the decision was made.</summary>
public sealed record HandshakeRefusal(RejectReason Reason, string Hint, string? Policy, string? TrustStore, string? ChainStatus)
{
    /// <summary>The partner whose verdict the refusal reports, when there is one.</summary>
    public string? Partner { get; init; }
}
