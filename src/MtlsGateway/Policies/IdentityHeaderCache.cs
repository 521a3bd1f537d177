using System.Runtime.CompilerServices;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// A certificate's (or a certificate-less connection's) computed identity headers, one set per policy its requests
/// were admitted under (usually one). Requests of many connections read it concurrently without locking. Keyed weakly
/// by policy: a reload replaces the policies, and the sets for the old ones go with them (with their trust stores and
/// CRLs) however long the certificate stays cached.
/// </summary>
internal sealed class IdentityHeaderCache
{
    private readonly ConditionalWeakTable<GatewayPolicy, IdentityHeaderSet> _sets = [];

    public IdentityHeaderSet GetOrCreate(GatewayPolicy policy, IdentityHeaderNames names, PresentedCertificate? presented)
    {
        if (_sets.TryGetValue(policy, out var set))
        {
            return set;
        }

        // A race at worst computes a set twice; both are equal.
        set = IdentityHeaderSet.Create(policy, names, presented?.Leaf, presented?.Identity, presented?.Chain);
        return _sets.TryAdd(policy, set) || !_sets.TryGetValue(policy, out var first) ? set : first;
    }
}
