using MtlsGateway.Diagnostics;

namespace MtlsGateway.Policies;

/// <summary>Why a request was refused (a request feature, read by the response writer and the log).</summary>
public sealed record RequestRefusal(RejectReason Reason, int StatusCode, string Hint, string? Policy, string? TrustStore, string? ChainStatus);
