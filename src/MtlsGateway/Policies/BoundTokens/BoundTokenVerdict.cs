using MtlsGateway.Diagnostics;

namespace MtlsGateway.Policies.BoundTokens;

/// <summary>What a policy's <c>BoundToken</c> says of one request's token and certificate: admitted, or why not
/// (<see cref="RejectReason.TokenInvalid"/> or <see cref="RejectReason.TokenNotBound"/>) with a hint naming the check
/// that failed. Never holds the token.</summary>
internal sealed record BoundTokenVerdict(RejectReason? Reason, string? Hint)
{
    public static BoundTokenVerdict Admitted { get; } = new(null, null);

    public bool IsAdmitted => Reason is null;

    public static BoundTokenVerdict Invalid(string hint) => new(RejectReason.TokenInvalid, hint);

    public static BoundTokenVerdict NotBound(string hint) => new(RejectReason.TokenNotBound, hint);
}
