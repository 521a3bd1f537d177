using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// One named limit of <c>Gateway:RateLimits</c>: a token bucket per partition that holds <see cref="Burst"/> permits
/// and refills at <see cref="PermitsPerSecond"/>. A YARP route selects it by name with its own <c>RateLimiterPolicy</c>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>The most partitions one limit keeps; requests of identities beyond it share one overflow bucket.</summary>
    public const int DefaultMaxPartitions = 10_000;

    // The names YARP reads itself in a route's RateLimiterPolicy (the global limiter; no limit at all).
    private static readonly string[] ReservedNames = ["Default", "Disable"];

    public double PermitsPerSecond { get; set; }

    /// <summary>Permits a partition may spend at once; by default one second's worth (at least 1).</summary>
    public int? Burst { get; set; }

    public RateLimitPartitionBy PartitionBy { get; set; } = RateLimitPartitionBy.Certificate;

    public int MaxPartitions { get; set; } = DefaultMaxPartitions;

    public int EffectiveBurst => Burst ?? (int)Math.Max(1, Math.Ceiling(Math.Min(PermitsPerSecond, int.MaxValue)));

    /// <summary>Checks every limit and every route's <c>RateLimiterPolicy</c> (it must name a limit, or be YARP's
    /// <c>Default</c> / <c>Disable</c>).</summary>
    public static void Validate(IReadOnlyDictionary<string, RateLimitOptions> limits, IConfiguration configuration, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (name, limit) in limits)
        {
            var path = $"{SectionName}:{name}";
            if (ReservedNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError(path, $"'{name}' is reserved by YARP's RateLimiterPolicy (the global limiter, or none); choose another name"));
            }

            if (!double.IsFinite(limit.PermitsPerSecond) || limit.PermitsPerSecond <= 0)
            {
                errors.Add(new ConfigError($"{path}:PermitsPerSecond",
                    $"must be a positive number of requests per second (0.5 is one every 2 s); got {limit.PermitsPerSecond.ToString(CultureInfo.InvariantCulture)}"));
            }

            if (limit.Burst is < 1)
            {
                errors.Add(new ConfigError($"{path}:Burst", $"must be at least 1 (the requests a partition may send at once); got {limit.Burst}"));
            }

            if (!Enum.IsDefined(limit.PartitionBy))
            {
                errors.Add(new ConfigError($"{path}:PartitionBy", $"must be one of {string.Join(", ", Enum.GetNames<RateLimitPartitionBy>())}"));
            }

            if (limit.MaxPartitions < 1)
            {
                errors.Add(new ConfigError($"{path}:MaxPartitions", $"must be at least 1; got {limit.MaxPartitions}"));
            }
        }

        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var name = route["RateLimiterPolicy"];
            if (string.IsNullOrEmpty(name) || ReservedNames.Contains(name, StringComparer.OrdinalIgnoreCase) || limits.ContainsKey(name))
            {
                continue;
            }

            var known = limits.Count == 0 ? "none; define it under Gateway:RateLimits" : string.Join(", ", limits.Keys.Order(StringComparer.Ordinal));
            errors.Add(new ConfigError($"ReverseProxy:Routes:{route.Key}:RateLimiterPolicy", $"'{name}' is not a rate limit; known: {known}"));
        }
    }
}
