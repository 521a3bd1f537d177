using System.Collections.Frozen;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;

namespace MtlsGateway.Proxying;

/// <summary>
/// What one configuration snapshot means for identity headers, built once per snapshot: every header name the
/// gateway owns (the defaults and every policy's renames, whether or not a policy sends them) and each policy's names.
/// Names compare as a CGI/WSGI backend reads them (<see cref="HeaderNameAliasComparer"/>: any case, <c>_</c> = <c>-</c>).
/// </summary>
internal sealed class IdentityHeaderPlan
{
    private readonly Dictionary<GatewayPolicy, IdentityHeaderNames> _names;

    private IdentityHeaderPlan(GatewaySnapshot snapshot, FrozenSet<string> owned, FrozenSet<string> inbound, Dictionary<GatewayPolicy, IdentityHeaderNames> names)
    {
        Snapshot = snapshot;
        Owned = owned;
        Inbound = inbound;
        _names = names;
    }

    public GatewaySnapshot Snapshot { get; }

    /// <summary>Removed from every forwarded request after the route's transforms, in any spelling and any number of copies.</summary>
    public FrozenSet<string> Owned { get; }

    /// <summary>Dropped from what the client sent, before any transform: <see cref="Owned"/> and the forwarding headers
    /// (<see cref="IdentityHeadersTransformProvider.UntrustedForwarding"/>).</summary>
    public FrozenSet<string> Inbound { get; }

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
            .ToFrozenSet(HeaderNameAliasComparer.Instance);
        var inbound = owned.Concat(IdentityHeadersTransformProvider.UntrustedForwarding).ToFrozenSet(HeaderNameAliasComparer.Instance);
        return new IdentityHeaderPlan(snapshot, owned, inbound, names);
    }

    /// <summary>The names for <paramref name="policy"/>; a policy from another snapshot (a reload mid-request) is computed.</summary>
    public IdentityHeaderNames NamesFor(GatewayPolicy policy, out bool known)
    {
        ArgumentNullException.ThrowIfNull(policy);
        known = _names.TryGetValue(policy, out var names);
        return names ?? IdentityHeaderNames.For(policy.Identity);
    }
}
