using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>What a policy says of one client certificate.</summary>
public sealed record PolicyVerdict(bool Admitted, RejectReason? Reason, string? Hint, string? ChainStatus, string? Warning)
{
    public static PolicyVerdict Admit(string? warning) => new(true, null, null, null, warning);

    public static PolicyVerdict Refuse(RejectReason reason, string hint, string? chainStatus = null) => new(false, reason, hint, chainStatus, null);
}
