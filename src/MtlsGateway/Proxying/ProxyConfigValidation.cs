using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Configuration;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Configuration;

namespace MtlsGateway.Proxying;

/// <summary>
/// Runs YARP's own <see cref="IConfigValidator"/> over the compiled routes and clusters, inside the loader, so that
/// <c>validate</c>, start and reload report what YARP would refuse as ordinary errors at <c>ReverseProxy:…</c> paths.
/// </summary>
internal static partial class ProxyConfigValidation
{
    /// <param name="rateLimits">The configuration's <c>Gateway:RateLimits</c> names: the rate limiter policies a route
    /// may name (registered here as placeholders, as the gateway registers the real ones).</param>
    public static void Validate(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters, IEnumerable<string> rateLimits, ICollection<ConfigError> errors)
    {
        // YARP's validators resolve transforms and policies from its services: build them exactly as the gateway does.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new GatewayState());
        services.AddGatewayReverseProxy();
        services.AddRequestTimeouts();
        services.AddRateLimiter(options =>
        {
            foreach (var name in rateLimits)
            {
                options.AddPolicy(name, static _ => RateLimitPartition.GetNoLimiter(string.Empty));
            }
        });
        using var provider = services.BuildServiceProvider();
        var validator = provider.GetRequiredService<IConfigValidator>();
        foreach (var route in routes)
        {
            // Every YARP validator completes synchronously unless an application policy provider goes async; none does here.
            foreach (var problem in validator.ValidateRouteAsync(route).AsTask().GetAwaiter().GetResult())
            {
                errors.Add(RouteError(route.RouteId, problem.Message));
            }
        }

        foreach (var cluster in clusters)
        {
            foreach (var problem in validator.ValidateClusterAsync(cluster).AsTask().GetAwaiter().GetResult())
            {
                errors.Add(ClusterError(cluster.ClusterId, problem.Message));
            }
        }
    }

    /// <summary>What YARP threw while applying a configuration, as errors (one per inner exception).</summary>
    public static List<ConfigError> FromApplyFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var inner = exception is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.ToList() : [exception];
        return inner.Select(e => RouteOf().Match(e.Message) is { Success: true } route
                ? RouteError(route.Groups[1].Value, e.Message)
                : ClusterOf().Match(e.Message) is { Success: true } cluster
                    ? ClusterError(cluster.Groups[1].Value, e.Message)
                    : new ConfigError(ProxyConfigReader.SectionName, Plain(e.Message)))
            .ToList();
    }

    private static ConfigError RouteError(string routeId, string message)
    {
        var key = Keyword(message, [
            ("transform", ":Transforms"), ("timeout policy", ":TimeoutPolicy"), ("timeout", ":Timeout"), ("rate", ":RateLimiterPolicy"),
            ("cors", ":CorsPolicy"), ("output cache", ":OutputCachePolicy"), ("query parameter", ":Match:QueryParameters"),
            ("header", ":Match:Headers"), ("method", ":Match:Methods"), ("hosts or path", ":Match"), ("host", ":Match:Hosts"),
            ("path", ":Match:Path"), ("authorization", ":AuthorizationPolicy")]);
        return new ConfigError($"{ProxyConfigReader.SectionName}:Routes:{routeId}{key}", Plain(message));
    }

    private static ConfigError ClusterError(string clusterId, string message)
    {
        var key = Keyword(message, [
            ("destination '", ":Destinations"), ("load balancing", ":LoadBalancingPolicy"), ("affinity", ":SessionAffinity"),
            ("active health", ":HealthCheck:Active"), ("probing", ":HealthCheck:Active"), ("passive health", ":HealthCheck:Passive"),
            ("reactivation", ":HealthCheck:Passive"), ("available destinations", ":HealthCheck:AvailableDestinationsPolicy"),
            ("max connections", ":HttpClient:MaxConnectionsPerServer"), ("header encoding", ":HttpClient"), ("version", ":HttpRequest:Version")]);
        return new ConfigError($"{ProxyConfigReader.SectionName}:Clusters:{clusterId}{key}", Plain(message));
    }

    private static string Keyword(string message, (string Word, string Key)[] keys) =>
        keys.FirstOrDefault(k => message.Contains(k.Word, StringComparison.OrdinalIgnoreCase)).Key ?? string.Empty;

    /// <summary>YARP's message without the interface names it puts in some ("No matching ILoadBalancingPolicy found").</summary>
    private static string Plain(string message) => InterfaceName().Replace(message, "No matching policy found");

    [GeneratedRegex(@"No matching I[A-Za-z]+ found")]
    private static partial Regex InterfaceName();

    [GeneratedRegex(@"route '([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex RouteOf();

    [GeneratedRegex(@"cluster '([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex ClusterOf();
}
