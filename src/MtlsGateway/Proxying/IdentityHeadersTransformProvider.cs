using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MtlsGateway.Proxying;

/// <summary>
/// Applied to every route. First, before any route transform, drops what a client may send that backends read as
/// facts established by a proxy (RFC 7239 <c>Forwarded</c>, <c>X-Forwarded-*</c>, the
/// certificate headers other stacks read, every identity header the gateway owns, RFC 9440's among them), in any case and with <c>_</c>
/// for <c>-</c> (<see cref="HeaderNameAliasComparer"/>): YARP's default X-Forwarded transforms then set their own
/// values, and a route that Appends starts from nothing. Last, after every route transform, removes every copy of
/// every identity header the gateway owns and sets the admitting policy's headers, computed once per client
/// certificate and policy.
/// </summary>
internal sealed class IdentityHeadersTransformProvider(GatewayState state, ILogger<IdentityHeadersTransformProvider> logger) : ITransformProvider
{
    /// <summary>Inbound headers never passed on: the gateway is the edge, so whoever sent them is a client.</summary>
    internal static readonly FrozenSet<string> UntrustedForwarding = new[]
    {
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
        "X-Forwarded-Port", "X-Forwarded-Server", "X-Real-IP",
        // What other stacks read as "the proxy verified this certificate": ASP.NET Core CertificateForwarding's default
        // name, nginx's customary ones, Apache mod_ssl's variable as a header. A backend set up for any of them would
        // otherwise take a client's base64 certificate next to the gateway's Verified: SUCCESS.
        "X-Client-Cert", "X-Client-Certificate", "X-SSL-Cert", "SSL-Client-Cert", "X-SSL-Client-Cert", "X-SSL-Client-Verify",
    }.ToFrozenSet(HeaderNameAliasComparer.Instance);

    // The connection-level item that says this connection's dropped headers were logged.
    private static readonly object DroppedLoggedKey = new();

    private volatile IdentityHeaderPlan? _plan;

    // Identity header values per certificate (shared by the connections presenting it: computed once, not per request
    // or connection), or per connection when it presented none. Weak: they go with the certificate or connection.
    private readonly ConditionalWeakTable<object, IdentityHeaderCache> _headers = [];

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.RequestTransforms.Insert(0, new RequestFuncTransform(StripInbound));
        context.AddRequestTransform(SetIdentityHeaders);
    }

    private ValueTask StripInbound(RequestTransformContext transform)
    {
        if (RemoveAll(transform.ProxyRequest.Headers, PlanFor(state.Current).Inbound) is { } dropped)
        {
            LogDropped(transform.HttpContext, dropped);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Debug, once per connection: a client that forges one header usually forges it on every request.</summary>
    private void LogDropped(HttpContext context, List<string> dropped)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        if (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items)
        {
            // HTTP/2 streams of one connection run concurrently.
            lock (items)
            {
                if (!items.TryAdd(DroppedLoggedKey, null))
                {
                    return;
                }
            }
        }

        logger.ForwardingHeadersDropped(string.Join(", ", dropped), context.Connection.RemoteIpAddress?.ToString(), context.Connection.Id);
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

        // A reported failure is not cached with the certificate: the same certificate may verify later (NotYetValid).
        var set = identity.Failure is { Reason: { } failure }
            ? IdentityHeaderSet.Create(identity.Policy, names, null, null, failure: failure)
            : transform.HttpContext.Features.Get<GatewayConnection>() is { } connection
            ? HeadersOf(connection).GetOrCreate(identity.Policy, names, identity.Verified, identity.AdmittedBy)
            : IdentityHeaderSet.Create(identity.Policy, names, identity.Verified?.Leaf, identity.Verified?.Identity, identity.AdmittedBy, identity.Verified?.Chain);
        foreach (var (name, value) in set.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Removes every header named in <paramref name="names"/> (as the set compares them, every copy) and
    /// returns the names removed, or null. One pass over the handful of headers a request has instead of a Remove
    /// per name, each of which parses the name: this runs twice on every request and rarely finds anything.</summary>
    internal static List<string>? RemoveAll(HttpHeaders headers, FrozenSet<string> names)
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
            return null;
        }

        foreach (var name in found)
        {
            headers.Remove(name);
        }

        return found;
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

    private IdentityHeaderCache HeadersOf(GatewayConnection connection) =>
        _headers.GetValue((object?)connection.Presented ?? connection, static _ => new());
}
