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
    internal static readonly IReadOnlyList<string> UntrustedForwarding =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
        "X-Forwarded-Port", "X-Forwarded-Server", "X-Real-IP", "Client-Cert", "Client-Cert-Chain",
    ];

    private static readonly RequestFuncTransform StripForwarding = new(context =>
    {
        var headers = context.ProxyRequest.Headers;
        foreach (var name in UntrustedForwarding)
        {
            headers.Remove(name);
        }

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
        foreach (var name in plan.Owned)
        {
            headers.Remove(name);
        }

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
