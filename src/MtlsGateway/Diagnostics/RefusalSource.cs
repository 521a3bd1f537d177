namespace MtlsGateway.Diagnostics;

/// <summary>What makes two refusals "the same failure from the same source" (GATEWAY.md, "Logs"): the event,
/// the reason, the policy, and the client certificate's SHA-256 or, without one, the remote IP.</summary>
internal readonly record struct RefusalSource(RefusalStage Stage, RejectReason Reason, string? Policy, string Origin)
{
    public static RefusalSource Of(RefusalStage stage, RefusalDetails details) =>
        new(stage, details.Reason, details.Policy, details.CertSha256 ?? details.RemoteIp ?? string.Empty);
}
