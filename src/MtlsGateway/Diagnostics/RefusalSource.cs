namespace MtlsGateway.Diagnostics;

/// <summary>What makes two refusals "the same failure from the same source" (GATEWAY.md, "Logs"): the event,
/// the reason, the policy, and the client certificate's SHA-256 or, without one, the remote IP.</summary>
/// <param name="AnyCertificate">The per-IP source of refusals with certificates: a client that sends a new
/// certificate each time is one source by its remote IP, once the certificates logged on their own are spent.</param>
internal readonly record struct RefusalSource(RefusalStage Stage, RejectReason Reason, string? Policy, string Origin, bool AnyCertificate = false)
{
    public static RefusalSource Of(RefusalStage stage, RefusalDetails details) =>
        new(stage, details.Reason, details.Policy, details.CertSha256 ?? details.RemoteIp ?? string.Empty);

    /// <summary>The remote IP's source for refusals of this kind with whatever certificate.</summary>
    public RefusalSource ByRemoteIp(RefusalDetails details) => this with { Origin = details.RemoteIp ?? string.Empty, AnyCertificate = true };
}
