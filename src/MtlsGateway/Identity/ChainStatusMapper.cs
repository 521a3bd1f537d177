using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity;

/// <summary>
/// The one table from platform chain status to the contract's Reason. Where a flag is ambiguous the
/// verifier refines it with facts (PartialChain, NotTimeValid); the rationale for each row is beside it.
/// </summary>
internal static class ChainStatusMapper
{
    private static readonly Dictionary<X509ChainStatusFlags, RejectReason> Table = new()
    {
        // The chain reached a self-signed certificate that is not one of our roots (or the leaf is self-signed).
        [X509ChainStatusFlags.UntrustedRoot] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.ExplicitDistrust] = RejectReason.UntrustedIssuer,
        // A link is missing. The verifier turns it into BadSignature when the missing issuer's NAME is one we hold.
        [X509ChainStatusFlags.PartialChain] = RejectReason.PartialChain,
        // A loop cannot end at a root of ours.
        [X509ChainStatusFlags.Cyclic] = RejectReason.UntrustedIssuer,
        // An issuer that is not a CA, or a CA acting outside its constraints, is not a valid issuer for this certificate.
        [X509ChainStatusFlags.InvalidBasicConstraints] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.InvalidNameConstraints] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.HasNotSupportedNameConstraint] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.HasNotDefinedNameConstraint] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.HasNotPermittedNameConstraint] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.HasExcludedNameConstraint] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.InvalidPolicyConstraints] = RejectReason.UntrustedIssuer,
        [X509ChainStatusFlags.NoIssuanceChainPolicy] = RejectReason.UntrustedIssuer,
        // The verifier tells Expired from NotYetValid by comparing the dates.
        [X509ChainStatusFlags.NotTimeValid] = RejectReason.Expired,
        [X509ChainStatusFlags.NotTimeNested] = RejectReason.Expired,
        [X509ChainStatusFlags.CtlNotTimeValid] = RejectReason.Expired,
        [X509ChainStatusFlags.Revoked] = RejectReason.Revoked,
        [X509ChainStatusFlags.RevocationStatusUnknown] = RejectReason.RevocationUnknown,
        [X509ChainStatusFlags.OfflineRevocation] = RejectReason.RevocationUnknown,
        // The certificate may not be used for client authentication (EKU, or a critical extension we cannot honour).
        [X509ChainStatusFlags.NotValidForUsage] = RejectReason.WrongUsage,
        [X509ChainStatusFlags.CtlNotValidForUsage] = RejectReason.WrongUsage,
        [X509ChainStatusFlags.InvalidExtension] = RejectReason.WrongUsage,
        [X509ChainStatusFlags.HasNotSupportedCriticalExtension] = RejectReason.WrongUsage,
        // The signature does not verify, or uses an algorithm too weak to trust.
        [X509ChainStatusFlags.NotSignatureValid] = RejectReason.BadSignature,
        [X509ChainStatusFlags.CtlNotSignatureValid] = RejectReason.BadSignature,
        [X509ChainStatusFlags.HasWeakSignature] = RejectReason.BadSignature,
    };

    // When several flags are set, the most fundamental wins: a forged or foreign chain matters more than dates.
    private static readonly RejectReason[] Priority =
    [
        RejectReason.Revoked,
        RejectReason.BadSignature,
        RejectReason.UntrustedIssuer,
        RejectReason.PartialChain,
        RejectReason.Expired,
        RejectReason.WrongUsage,
        RejectReason.RevocationUnknown,
    ];

    /// <summary>The Reason for one flag; null for <see cref="X509ChainStatusFlags.NoError"/>.</summary>
    public static RejectReason? Map(X509ChainStatusFlags flag) =>
        Table.TryGetValue(flag, out var reason) ? reason : flag == X509ChainStatusFlags.NoError ? null : RejectReason.UntrustedIssuer;

    /// <summary>The flags that map to <paramref name="reason"/> in the table.</summary>
    public static X509ChainStatusFlags FlagsFor(RejectReason reason) =>
        Table.Where(kv => kv.Value == reason).Aggregate(X509ChainStatusFlags.NoError, (all, kv) => all | kv.Key);

    /// <summary>The highest-priority Reason among the set flags, or null when none maps.</summary>
    public static RejectReason? Classify(X509ChainStatusFlags flags)
    {
        var reasons = Enum.GetValues<X509ChainStatusFlags>()
            .Where(f => f != X509ChainStatusFlags.NoError && flags.HasFlag(f))
            .Select(Map)
            .OfType<RejectReason>()
            .ToHashSet();
        return Priority.Cast<RejectReason?>().FirstOrDefault(r => reasons.Contains(r!.Value));
    }

    /// <summary>"NotTimeValid,PartialChain": the set flags by name, for the ChainStatus log field.</summary>
    public static string Describe(X509ChainStatusFlags flags) =>
        string.Join(',', Enum.GetValues<X509ChainStatusFlags>().Where(f => f != X509ChainStatusFlags.NoError && flags.HasFlag(f)));
}
