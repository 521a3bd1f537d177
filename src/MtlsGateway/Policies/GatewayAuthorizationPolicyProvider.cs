using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using MtlsGateway.Configuration;

namespace MtlsGateway.Policies;

/// <summary>
/// Makes each gateway policy an ASP.NET Core authorization policy of the same name, read from the configuration
/// in force, so YARP routes name them with <c>AuthorizationPolicy</c>. <c>Gateway:DefaultPolicy</c> is both the
/// default and the fallback policy: a route that names none is never open. Policies are not cached by the
/// authorization middleware, so a reload that changes a policy applies on the next request.
/// </summary>
public sealed class GatewayAuthorizationPolicyProvider(IOptions<AuthorizationOptions> options, GatewayState state) : IAuthorizationPolicyProvider
{
    private readonly DefaultAuthorizationPolicyProvider _framework = new(options);

    public bool AllowsCachingPolicies => false;

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) =>
        state.IsLoaded && state.Current.Policies.ContainsKey(policyName)
            ? Task.FromResult<AuthorizationPolicy?>(Build(policyName))
            : _framework.GetPolicyAsync(policyName);

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => Task.FromResult(BuildDefault());

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => Task.FromResult<AuthorizationPolicy?>(BuildDefault());

    private AuthorizationPolicy BuildDefault() => Build(state.Current.DefaultPolicy.Name);

    private static AuthorizationPolicy Build(string name) =>
        new AuthorizationPolicyBuilder().AddRequirements(new GatewayPolicyRequirement(name)).Build();
}
