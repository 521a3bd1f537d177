namespace MtlsGateway.Identity;

/// <summary>A revocation problem: revoked (final) or unknown (subject to RevocationFailure), with its hint.</summary>
internal sealed record RevocationOutcome(bool IsRevoked, string Hint)
{
    public static RevocationOutcome Revoked(string hint) => new(true, hint);

    public static RevocationOutcome Unknown(string hint) => new(false, hint);
}
