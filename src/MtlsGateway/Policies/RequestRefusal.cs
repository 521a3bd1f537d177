using MtlsGateway.Diagnostics;

namespace MtlsGateway.Policies;

/// <summary>Why a request was refused (a request feature, read by the response writer and the log).</summary>
public sealed record RequestRefusal(RejectReason Reason, int StatusCode, string Hint, string? Policy, string? TrustStore, string? ChainStatus)
{
    /// <summary>The partner whose verdict the refusal reports (a policy's sole partner for refusals before the certificate), or null.</summary>
    public string? Partner { get; init; }
}
