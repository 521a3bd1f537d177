using System.Collections.Frozen;
using MtlsGateway.Configuration;

namespace MtlsGateway.Policies;

/// <summary>
/// What one configuration snapshot means for identity headers, built once per snapshot: every header name the
/// gateway owns (the defaults and every policy's renames, whether or not a policy sends them) and each policy's names.
/// </summary>
internal sealed class IdentityHeaderPlan
{
    private readonly Dictionary<GatewayPolicy, IdentityHeaderNames> _names;

    private IdentityHeaderPlan(GatewaySnapshot snapshot, FrozenSet<string> owned, Dictionary<GatewayPolicy, IdentityHeaderNames> names)
    {
        Snapshot = snapshot;
        Owned = owned;
        _names = names;
    }

    public GatewaySnapshot Snapshot { get; }

    /// <summary>Removed from every forwarded request, in any case and any number of copies.</summary>
    public FrozenSet<string> Owned { get; }

    public static IdentityHeaderPlan For(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var names = new Dictionary<GatewayPolicy, IdentityHeaderNames>(ReferenceEqualityComparer.Instance);
        foreach (var policy in snapshot.Policies.Values.Append(snapshot.DefaultPolicy))
        {
            names.TryAdd(policy, IdentityHeaderNames.For(policy.Identity));
        }

        var owned = names.Values.SelectMany(n => n.All)
            .Concat(IdentityHeaderNames.Defaults.All)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        return new IdentityHeaderPlan(snapshot, owned, names);
    }

    /// <summary>The names for <paramref name="policy"/>; a policy from another snapshot (a reload mid-request) is computed.</summary>
    public IdentityHeaderNames NamesFor(GatewayPolicy policy, out bool known)
    {
        ArgumentNullException.ThrowIfNull(policy);
        known = _names.TryGetValue(policy, out var names);
        return names ?? IdentityHeaderNames.For(policy.Identity);
    }
}
