namespace MtlsGateway.Identity.Revocation;

/// <summary>What OCSP said of one certificate: it names no responder (<see cref="Responders"/> says why), or the outcome
/// (null: good).</summary>
internal readonly record struct OcspLookup(bool HasResponder, RevocationOutcome? Outcome, OcspResponders? Responders)
{
    public static OcspLookup NoResponder(OcspResponders responders) => new(false, null, responders);

    public static OcspLookup Decided(RevocationOutcome? outcome) => new(true, outcome, null);
}
