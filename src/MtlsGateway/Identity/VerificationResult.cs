using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity;

/// <summary>
/// The verdict on one client certificate against one trust store. A refusal is a value, logged once by
/// the caller: <see cref="Reason"/> is the contract's Reason, <see cref="Hint"/> says what to fix.
/// </summary>
/// <param name="ChainStatus">The platform's chain status flags, comma-separated ("NotTimeValid,PartialChain"), or empty.</param>
/// <param name="Warning">Set when admitted despite a problem (RevocationFailure = Allow).</param>
public sealed record VerificationResult(bool IsValid, RejectReason? Reason, string? Hint, string ChainStatus, string? Warning)
{
    /// <summary>For each certificate whose revocation was checked offline, the CRL that decided it (what <c>check</c> shows).</summary>
    public IReadOnlyList<RevocationEvidence> Revocation { get; init; } = [];

    /// <summary>The SPIFFE bundle the certificate (an X509-SVID) was verified against, or null (what <c>check</c> shows).</summary>
    public Spiffe.SpiffeBundle? SpiffeBundle { get; init; }

    public static VerificationResult Valid { get; } = new(true, null, null, string.Empty, null);

    public static VerificationResult Reject(RejectReason reason, string hint, string chainStatus = "") =>
        new(false, reason, hint, chainStatus, null);

    public static VerificationResult AdmitWithWarning(string warning, string chainStatus = "") =>
        new(true, null, null, chainStatus, warning);
}
