using System.Collections.Frozen;
using System.Net.Http.Headers;
using MtlsGateway.Configuration;
using MtlsGateway.Tls;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MtlsGateway.Policies;

/// <summary>
/// Applied to every route. First, before any route transform, drops what a client may send that backends read as
/// facts established by a proxy (RFC 7239 <c>Forwarded</c>, <c>X-Forwarded-*</c>, RFC 9440 <c>Client-Cert</c>…):
/// YARP's default X-Forwarded transforms then set their own values, and a route that Appends starts from nothing.
/// Last, after every route transform, removes every copy of every identity header the gateway owns (any case) and
/// sets the admitting policy's headers, computed once per client certificate and policy.
/// </summary>
internal sealed class IdentityHeadersTransformProvider(GatewayState state) : ITransformProvider
{
    /// <summary>Inbound headers never passed on: the gateway is the edge, so whoever sent them is a client.</summary>
    internal static readonly FrozenSet<string> UntrustedForwarding = new[]
    {
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
        "X-Forwarded-Port", "X-Forwarded-Server", "X-Real-IP", "Client-Cert", "Client-Cert-Chain",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly RequestFuncTransform StripForwarding = new(context =>
    {
        RemoveAll(context.ProxyRequest.Headers, UntrustedForwarding);
        return ValueTask.CompletedTask;
    });

    private volatile IdentityHeaderPlan? _plan;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.RequestTransforms.Insert(0, StripForwarding);
        context.AddRequestTransform(SetIdentityHeaders);
    }

    private ValueTask SetIdentityHeaders(RequestTransformContext transform)
    {
        var plan = PlanFor(state.Current);
        var headers = transform.ProxyRequest.Headers;
        RemoveAll(headers, plan.Owned);

        if (transform.HttpContext.Features.Get<ClientIdentityFeature>() is not { } identity)
        {
            // Admission did not run (no policy applied): say so, never leave the backend guessing.
            headers.TryAddWithoutValidation(IdentityHeaderNames.Defaults.Verified, "NONE");
            return ValueTask.CompletedTask;
        }

        var names = plan.NamesFor(identity.Policy, out var known);
        if (!known)
        {
            foreach (var name in names.All)
            {
                headers.Remove(name);
            }
        }

        var set = transform.HttpContext.Features.Get<GatewayConnection>() is { } connection
            ? connection.IdentityHeaders.GetOrCreate(identity.Policy, names, identity.Verified)
            : IdentityHeaderSet.Create(identity.Policy, names, identity.Verified?.Leaf, identity.Verified?.Identity);
        foreach (var (name, value) in set.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Removes every header named in <paramref name="names"/> (any case, every copy). One pass over the
    /// handful of headers a request has instead of a Remove per name, each of which parses the name: this runs twice
    /// on every request and rarely finds anything.</summary>
    internal static void RemoveAll(HttpHeaders headers, FrozenSet<string> names)
    {
        List<string>? found = null;
        foreach (var header in headers.NonValidated)
        {
            if (names.Contains(header.Key))
            {
                (found ??= []).Add(header.Key);
            }
        }

        if (found is null)
        {
            return;
        }

        foreach (var name in found)
        {
            headers.Remove(name);
        }
    }

    private IdentityHeaderPlan PlanFor(GatewaySnapshot snapshot)
    {
        var plan = _plan;
        if (plan is null || !ReferenceEquals(plan.Snapshot, snapshot))
        {
            plan = IdentityHeaderPlan.For(snapshot);
            _plan = plan;
        }

        return plan;
    }
}
