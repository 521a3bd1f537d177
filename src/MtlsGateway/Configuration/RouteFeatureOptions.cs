using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// YARP's per-route keys that need middleware (GATEWAY.md, "Configuration"): the gateway honours <c>Timeout</c>
/// (ASP.NET Core's request timeouts: 504 problem+json) and <c>RateLimiterPolicy</c> (<see cref="RateLimitOptions"/>);
/// it refuses, with the reason, what it cannot honour, so that no key is silently ignored.
/// </summary>
public static class RouteFeatureOptions
{
    // YARP's own value for "none"; with no CORS or timeout policy registered it changes nothing.
    private const string Disable = "Disable";

    public static void Validate(IConfiguration configuration, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var path = $"ReverseProxy:Routes:{route.Key}";
            var timeout = route["Timeout"];
            if (!string.IsNullOrEmpty(timeout)
                && (!TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero))
            {
                errors.Add(new ConfigError($"{path}:Timeout", $"must be a positive time span, e.g. '00:00:30'; got '{timeout}'"));
            }

            var timeoutPolicy = route["TimeoutPolicy"];
            if (!string.IsNullOrEmpty(timeoutPolicy) && !string.Equals(timeoutPolicy, Disable, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError($"{path}:TimeoutPolicy",
                    $"'{timeoutPolicy}' is not a timeout policy: the gateway registers no named ones; set the route's Timeout (e.g. '00:00:30') instead"));
            }

            var cors = route["CorsPolicy"];
            if (!string.IsNullOrEmpty(cors) && !string.Equals(cors, Disable, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError($"{path}:CorsPolicy",
                    "the gateway does not apply CORS (its clients present certificates; browsers' cross-origin calls are not its case): "
                    + "remove CorsPolicy; CORS headers the backend sends reach the client unchanged"));
            }
        }
    }
}
