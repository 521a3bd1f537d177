namespace MtlsGateway.Policies;

/// <summary>
/// A certificate's (or a certificate-less connection's) computed identity headers, one set per policy its requests
/// were admitted under (usually one). Requests of many connections read it concurrently, so the list is copy-on-write:
/// readers never lock, and a race at worst computes a set twice.
/// </summary>
internal sealed class IdentityHeaderCache
{
    // Each reload brings new policy instances; keep the newest few.
    private const int MaxEntries = 4;

    private IdentityHeaderSet[] _sets = [];

    public IdentityHeaderSet GetOrCreate(GatewayPolicy policy, IdentityHeaderNames names, Identity.PresentedCertificate? presented)
    {
        var certificate = presented?.Leaf;
        var sets = Volatile.Read(ref _sets);
        foreach (var set in sets)
        {
            if (ReferenceEquals(set.Policy, policy) && ReferenceEquals(set.Certificate, certificate))
            {
                return set;
            }
        }

        var created = IdentityHeaderSet.Create(policy, names, certificate, presented?.Identity);
        var next = sets.Length < MaxEntries ? [.. sets, created] : (IdentityHeaderSet[])[.. sets[1..], created];
        Volatile.Write(ref _sets, next);
        return created;
    }
}
