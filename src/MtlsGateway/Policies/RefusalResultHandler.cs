using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;
using MtlsGateway.Tls;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.Policies;

/// <summary>
/// Turns a failed gateway policy into a problem+json refusal (403, or 421 for a Host/SNI mismatch) and one
/// <c>RequestRejected</c> event. The backend is never contacted.
/// </summary>
public sealed class RefusalResultHandler(ILogger<RefusalResultHandler> logger, RefusalReporter reporter) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        var refusal = context.Features.Get<RequestRefusal>()
            ?? new RequestRefusal(RejectReason.NotAllowed, StatusCodes.Status403Forbidden, "refused by authorization", null, null, null);
        var connection = context.Features.Get<GatewayConnection>();
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
            Route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId,
            Policy = refusal.Policy,
            TrustStore = refusal.TrustStore,
            TlsProtocol = connection?.TlsProtocol,
            ChainStatus = refusal.ChainStatus,
            ConnectionId = context.Connection.Id,
        }.WithCertificate(connection?.ClientCertificate));

        var title = refusal.StatusCode == StatusCodes.Status421MisdirectedRequest ? "Misdirected Request" : "Forbidden";
        await ProblemResponse.WriteAsync(context, refusal.StatusCode, title, refusal.Reason.ToString(), ProblemResponse.ClientDetail(refusal.Reason));
    }
}
