using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Tls;

namespace MtlsGateway.Policies;

/// <summary>Evaluates <see cref="GatewayPolicyRequirement"/> against the configuration in force (so a reload that
/// revokes or disallows a certificate refuses the next request on an already open connection).</summary>
public sealed class GatewayPolicyHandler(GatewayState state, RequestAdmission admission) : AuthorizationHandler<GatewayPolicyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayPolicyRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        // The fallback policy also runs for requests that match no route: those get a 404, not a policy verdict.
        if (http.GetEndpoint() is null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var snapshot = state.Current;
        var connection = http.Features.Get<GatewayConnection>();
        var policy = snapshot.FindPolicy(requirement.PolicyName);
        var refusal = (connection, policy) switch
        {
            (null, _) => new RequestRefusal(RejectReason.NotAllowed, StatusCodes.Status403Forbidden,
                "the request did not arrive on a gateway listener", requirement.PolicyName, null, null),
            (_, null) => new RequestRefusal(RejectReason.NotAllowed, StatusCodes.Status403Forbidden,
                $"policy '{requirement.PolicyName}' is not in the configuration in force", requirement.PolicyName, null, null),
            _ => admission.Admit(http, connection, policy),
        };

        if (refusal is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            http.Features.Set(refusal);
            context.Fail(new AuthorizationFailureReason(this, refusal.Hint));
        }

        return Task.CompletedTask;
    }
}
