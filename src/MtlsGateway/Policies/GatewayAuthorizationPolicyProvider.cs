using System.Collections.Concurrent;
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

    // A built policy holds only the gateway policy's name (the handler reads the configuration in force), so one
    // object per name serves every request and every reload; names come from configuration, never from clients.
    private readonly ConcurrentDictionary<string, AuthorizationPolicy> _built = new(StringComparer.Ordinal);

    public bool AllowsCachingPolicies => false;

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) =>
        state.IsLoaded && state.Current.Policies.ContainsKey(policyName)
            ? Task.FromResult<AuthorizationPolicy?>(Build(policyName))
            : _framework.GetPolicyAsync(policyName);

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => Task.FromResult(BuildDefault());

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => Task.FromResult<AuthorizationPolicy?>(BuildDefault());

    private AuthorizationPolicy BuildDefault() => Build(state.Current.DefaultPolicy.Name);

    private AuthorizationPolicy Build(string name) =>
        _built.GetOrAdd(name, static n => new AuthorizationPolicyBuilder().AddRequirements(new GatewayPolicyRequirement(n)).Build());
}
