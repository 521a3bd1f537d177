using Microsoft.AspNetCore.Http;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Policies;

namespace MtlsGateway.Ops;

/// <summary>
/// Feeds the status page from each admitted request, where <c>RequestCompleted</c> is written: the partner registry
/// (verified certificates) and, on Permissive routes, the migration report (who arrives without a verified one).
/// </summary>
public sealed class ConsoleFeed(PartnerRegistry partners, RouteTraffic routes, TimeProvider time)
{
    public void Admitted(HttpContext context, string routeId, ClientIdentityFeature identity)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(identity);
        var connection = context.Features.Get<GatewayConnection>();
        if (identity.Verified is { } certificate && connection is not null)
        {
            partners.Admitted(connection, identity.Policy, identity.Partner ?? identity.Policy.Name, certificate, context.Connection.RemoteIpAddress?.ToString());
        }

        if (identity.Policy.Mode != PolicyMode.Permissive)
        {
            return;
        }

        var usage = routes.For(routeId);
        var now = time.GetUtcNow();
        if (identity.IsVerified)
        {
            usage.Verified(now);
            return;
        }

        var presented = connection?.ClientIdentity;
        usage.Unverified(now, context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
            identity.Failure is null ? null : presented?.Subject, identity.Failure is null ? null : presented?.Sha256,
            identity.Failure is null ? "NONE" : "FAILED", identity.Failure?.Reason?.ToString());
    }
}
