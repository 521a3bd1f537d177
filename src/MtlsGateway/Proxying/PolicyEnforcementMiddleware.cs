using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Policies.BoundTokens;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.Proxying;

/// <summary>
/// The request-level check, between routing and YARP: a request that matches no route gets 404; every other one is
/// admitted under its route's policy (<see cref="RoutePolicy"/>; <c>Gateway:DefaultPolicy</c> when it
/// names none), of the configuration the route came with (<see cref="GatewayState.FindPolicy"/>), or refused with problem+json (403, or 421 for a
/// Host/SNI mismatch) and one <c>RequestRejected</c> event; an admitted request that asks for a protocol upgrade
/// its route does not allow is refused too (<see cref="RouteUpgrades"/>), and so is one without the certificate-bound
/// token its policy asks for (401, <see cref="BoundTokenPolicy"/>). A refused request never reaches the backend.
/// </summary>
/// <remarks>Called directly rather than through ASP.NET Core's authorization middleware: an admitted request costs
/// one policy lookup and the admission check, with no policy evaluator, handler context or extra async frames.</remarks>
public sealed class PolicyEnforcementMiddleware(
    RequestDelegate next, GatewayState state, RequestAdmission admission, RefusalReporter reporter, ILogger<PolicyEnforcementMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint() is not { } endpoint)
        {
            return ProblemResponse.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", reason: null, "No route matches this request.");
        }

        var route = endpoint.Metadata.GetMetadata<RouteModel>();
        var policyName = RoutePolicy.NameOf(route?.Config);
        var connection = context.Features.Get<GatewayConnection>();
        var policy = state.FindPolicy(policyName, RoutePolicy.RevisionOf(route?.Config));
        var refusal = (connection, policy) switch
        {
            (null, _) => new RequestRefusal(RejectReason.NotAllowed, StatusCodes.Status403Forbidden,
                "the request did not arrive on a gateway listener", policyName, null, null),
            (_, null) => new RequestRefusal(RejectReason.NotAllowed, StatusCodes.Status403Forbidden,
                $"policy '{policyName}' is not in the configuration in force", policyName, null, null),
            var (listenerConnection, admitting) => admission.Admit(context, listenerConnection, admitting)
                ?? RouteUpgrades.Check(context, route?.Config, admitting),
        };

        if (refusal is null && policy?.BoundToken is { } boundToken)
        {
            var pending = boundToken.CheckAsync(context.Request.Headers.Authorization, context.Features.Get<ClientIdentityFeature>()?.Verified, policy.Name);
            return pending.IsCompletedSuccessfully
                ? AfterToken(context, connection, policy, pending.Result, route?.Config.RouteId)
                : AfterTokenAsync(context, connection, policy, pending, route?.Config.RouteId);
        }

        return refusal is null ? next(context) : RefuseAsync(context, connection, refusal, route?.Config.RouteId);
    }

    private Task AfterToken(HttpContext context, GatewayConnection? connection, GatewayPolicy policy, BoundTokenVerdict verdict, string? routeId)
    {
        if (verdict.IsAdmitted)
        {
            return next(context);
        }

        // The certificate was admitted: the refusal names the partner that admitted it.
        var partner = context.Features.Get<ClientIdentityFeature>()?.AdmittedBy ?? policy.SolePartner;
        return RefuseAsync(context, connection, new RequestRefusal(verdict.Reason!.Value, StatusCodes.Status401Unauthorized, verdict.Hint!, policy.Name,
            partner?.TrustStore.Name ?? policy.TrustStoreNames, null) { Partner = partner?.Name }, routeId);
    }

    private async Task AfterTokenAsync(HttpContext context, GatewayConnection? connection, GatewayPolicy policy, ValueTask<BoundTokenVerdict> pending, string? routeId) =>
        await AfterToken(context, connection, policy, await pending.ConfigureAwait(false), routeId).ConfigureAwait(false);

    private Task RefuseAsync(HttpContext context, GatewayConnection? connection, RequestRefusal refusal, string? routeId)
    {
        context.Features.Set(refusal);
        // Counted every time; logged in full once per source, then summarised (RefusalThrottle).
        reporter.RequestRejected(logger, new RefusalDetails
        {
            Reason = refusal.Reason,
            Hint = refusal.Hint,
            RemoteIp = context.Connection.RemoteIpAddress?.ToString(),
            RemotePort = context.Connection.RemotePort,
            Listener = connection?.ListenerName,
            Sni = connection?.Sni,
            Host = context.Request.Host.Value,
            Route = routeId,
            Policy = refusal.Policy,
            TrustStore = refusal.TrustStore,
            Partner = refusal.Partner,
            TlsProtocol = connection?.TlsProtocol,
            ChainStatus = refusal.ChainStatus,
            ConnectionId = context.Connection.Id,
            TraceId = context.TraceIdentifier,
        }.WithCertificate(connection?.ClientIdentity));

        var title = refusal.StatusCode switch
        {
            StatusCodes.Status421MisdirectedRequest => "Misdirected Request",
            StatusCodes.Status401Unauthorized => "Unauthorized",
            _ => "Forbidden",
        };
        return ProblemResponse.WriteAsync(context, refusal.StatusCode, title, refusal.Reason.ToString(), ProblemResponse.ClientDetail(refusal.Reason),
            refusal.StatusCode == StatusCodes.Status401Unauthorized ? BoundTokenPolicy.Challenge : null);
    }
}
