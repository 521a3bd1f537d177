using Microsoft.AspNetCore.Authorization;

namespace MtlsGateway.Policies;

/// <summary>The one requirement of every gateway authorization policy: admission under the named gateway policy.</summary>
public sealed class GatewayPolicyRequirement(string policyName) : IAuthorizationRequirement
{
    public string PolicyName { get; } = policyName;
}
