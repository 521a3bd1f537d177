using System.Runtime.CompilerServices;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Proxying;

/// <summary>
/// A certificate's (or a certificate-less connection's) computed identity headers, one set per policy partner (or
/// policy, without a certificate) its requests were admitted under (usually one). Requests of many connections read it
/// concurrently without locking. Keyed weakly: a reload replaces the policies and their partners, and the sets for the
/// old ones go with them (with their trust stores and CRLs) however long the certificate stays cached.
/// </summary>
internal sealed class IdentityHeaderCache
{
    private readonly ConditionalWeakTable<object, IdentityHeaderSet> _sets = [];

    public IdentityHeaderSet GetOrCreate(GatewayPolicy policy, IdentityHeaderNames names, PresentedCertificate? presented, PolicyPartner? partner)
    {
        // The partner belongs to one policy: it alone tells the sets of two partners of one policy apart.
        object key = partner ?? (object)policy;
        if (_sets.TryGetValue(key, out var set))
        {
            return set;
        }

        // A race at worst computes a set twice; both are equal.
        set = IdentityHeaderSet.Create(policy, names, presented?.Leaf, presented?.Identity, partner, presented?.Chain);
        return _sets.TryAdd(key, set) || !_sets.TryGetValue(key, out var first) ? set : first;
    }
}
