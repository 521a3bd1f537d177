using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>What a policy says of one client certificate: admitted by which partner, or refused, with the partner and
/// trust store whose verdict the refusal reports (none when no partner's store holds the certificate's issuers).</summary>
public sealed record PolicyVerdict(bool Admitted, RejectReason? Reason, string? Hint, string? ChainStatus, string? Warning)
{
    public PolicyPartner? Partner { get; init; }

    /// <summary>The trust store(s) behind the verdict, for the TrustStore field of events.</summary>
    public string? TrustStore { get; init; }

    public static PolicyVerdict Admit(PolicyPartner partner, string? warning)
    {
        ArgumentNullException.ThrowIfNull(partner);
        return new(true, null, null, null, warning) { Partner = partner, TrustStore = partner.TrustStore.Name };
    }

    public static PolicyVerdict Refuse(RejectReason reason, string hint, string? chainStatus = null) => new(false, reason, hint, chainStatus, null);
}
