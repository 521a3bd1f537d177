using System.Net.Http;
using System.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using MtlsGateway.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MtlsGateway.Proxying;

/// <summary>
/// Reads YARP's <c>ReverseProxy</c> section into <see cref="RouteConfig"/> / <see cref="ClusterConfig"/> the way YARP's
/// own configuration provider does, key for key, except that a value that does not convert is reported at its path
/// with every other one instead of throwing at the first.
/// </summary>
internal static class ProxyConfigReader
{
    public const string SectionName = "ReverseProxy";

    public static List<RouteConfig> ReadRoutes(IConfiguration configuration, ICollection<ConfigError> errors) =>
        configuration.GetSection($"{SectionName}:Routes").GetChildren().Select(r => ReadRoute(r, errors)).ToList();

    public static List<ClusterConfig> ReadClusters(IConfiguration configuration, ICollection<ConfigError> errors) =>
        configuration.GetSection($"{SectionName}:Clusters").GetChildren().Select(c => ReadCluster(c, errors)).ToList();

    /// <summary>YARP ignores a key it does not know (a misspelt <c>Match</c> leaves the route without one): each is
    /// reported with the nearest key YARP does know. <paramref name="reported"/>: keys another check reports.</summary>
    private static void KnownKeys(IConfigurationSection section, Type type, ICollection<ConfigError> errors, string? reported = null)
    {
        var known = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Select(p => p.Name).Where(n => n != reported).ToList();
        foreach (var child in section.GetChildren())
        {
            if (child.Key != reported && !known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError(child.Path, ConfigShape.UnknownKey(child.Key, section.Path, known)));
            }
        }
    }

    private static RouteConfig ReadRoute(IConfigurationSection section, ICollection<ConfigError> errors)
    {
        if (!string.IsNullOrEmpty(section["RouteId"]))
        {
            errors.Add(new ConfigError($"{section.Path}:RouteId", "routes are objects keyed by their id; remove RouteId (the key is the id)"));
        }

        KnownKeys(section, typeof(RouteConfig), errors, nameof(RouteConfig.RouteId));
        KnownKeys(section.GetSection(nameof(RouteConfig.Match)), typeof(RouteMatch), errors);
        return new RouteConfig
        {
            RouteId = section.Key,
            Order = ConfigValue.Int32(section, nameof(RouteConfig.Order), errors),
            MaxRequestBodySize = ConfigValue.Int64(section, nameof(RouteConfig.MaxRequestBodySize), errors),
            ClusterId = section[nameof(RouteConfig.ClusterId)],
            AuthorizationPolicy = section[nameof(RouteConfig.AuthorizationPolicy)],
            RateLimiterPolicy = section[nameof(RouteConfig.RateLimiterPolicy)],
            OutputCachePolicy = section[nameof(RouteConfig.OutputCachePolicy)],
            TimeoutPolicy = section[nameof(RouteConfig.TimeoutPolicy)],
            Timeout = ConfigValue.Duration(section, nameof(RouteConfig.Timeout), errors),
            CorsPolicy = section[nameof(RouteConfig.CorsPolicy)],
            Metadata = Strings(section.GetSection(nameof(RouteConfig.Metadata))),
            Transforms = Transforms(section.GetSection(nameof(RouteConfig.Transforms))),
            Match = Match(section.GetSection(nameof(RouteConfig.Match)), errors),
        };
    }

    private static Dictionary<string, string>[]? Transforms(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        return children.Count == 0
            ? null
            : children.Select(t => t.GetChildren().ToDictionary(d => d.Key, d => d.Value ?? string.Empty, StringComparer.OrdinalIgnoreCase)).ToArray();
    }

    private static RouteMatch Match(IConfigurationSection section, ICollection<ConfigError> errors) => !section.Exists()
        ? new RouteMatch()
        : new RouteMatch
        {
            Methods = Array(section.GetSection(nameof(RouteMatch.Methods))),
            Hosts = Array(section.GetSection(nameof(RouteMatch.Hosts))),
            Path = section[nameof(RouteMatch.Path)],
            Headers = section.GetSection(nameof(RouteMatch.Headers)) is { } headers && headers.Exists()
                ? headers.GetChildren().Select(h => new RouteHeader
                {
                    Name = h[nameof(RouteHeader.Name)] ?? string.Empty,
                    Values = Array(h.GetSection(nameof(RouteHeader.Values))),
                    Mode = ConfigValue.Enum<HeaderMatchMode>(h, nameof(RouteHeader.Mode), "a header match mode", errors) ?? HeaderMatchMode.ExactHeader,
                    IsCaseSensitive = ConfigValue.Boolean(h, nameof(RouteHeader.IsCaseSensitive), errors) ?? false,
                }).ToArray()
                : null,
            QueryParameters = section.GetSection(nameof(RouteMatch.QueryParameters)) is { } query && query.Exists()
                ? query.GetChildren().Select(q => new RouteQueryParameter
                {
                    Name = q[nameof(RouteQueryParameter.Name)] ?? string.Empty,
                    Values = Array(q.GetSection(nameof(RouteQueryParameter.Values))),
                    Mode = ConfigValue.Enum<QueryParameterMatchMode>(q, nameof(RouteQueryParameter.Mode), "a query parameter match mode", errors)
                        ?? QueryParameterMatchMode.Exact,
                    IsCaseSensitive = ConfigValue.Boolean(q, nameof(RouteQueryParameter.IsCaseSensitive), errors) ?? false,
                }).ToArray()
                : null,
        };

    private static ClusterConfig ReadCluster(IConfigurationSection section, ICollection<ConfigError> errors)
    {
        KnownKeys(section, typeof(ClusterConfig), errors, nameof(ClusterConfig.ClusterId));
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var destination in section.GetSection(nameof(ClusterConfig.Destinations)).GetChildren())
        {
            KnownKeys(destination, typeof(DestinationConfig), errors);
            destinations[destination.Key] = new DestinationConfig
            {
                Address = destination[nameof(DestinationConfig.Address)] ?? string.Empty,
                Health = destination[nameof(DestinationConfig.Health)],
                Metadata = Strings(destination.GetSection(nameof(DestinationConfig.Metadata))),
                Host = destination[nameof(DestinationConfig.Host)],
            };
        }

        return new ClusterConfig
        {
            ClusterId = section.Key,
            LoadBalancingPolicy = section[nameof(ClusterConfig.LoadBalancingPolicy)],
            SessionAffinity = SessionAffinity(section.GetSection(nameof(ClusterConfig.SessionAffinity)), errors),
            HealthCheck = HealthCheck(section.GetSection(nameof(ClusterConfig.HealthCheck)), errors),
            HttpClient = HttpClient(section.GetSection(nameof(ClusterConfig.HttpClient)), errors),
            HttpRequest = HttpRequest(section.GetSection(nameof(ClusterConfig.HttpRequest)), errors),
            Metadata = Strings(section.GetSection(nameof(ClusterConfig.Metadata))),
            Destinations = destinations,
        };
    }

    private static SessionAffinityConfig? SessionAffinity(IConfigurationSection section, ICollection<ConfigError> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        var cookie = section.GetSection(nameof(SessionAffinityConfig.Cookie));
        return new SessionAffinityConfig
        {
            Enabled = ConfigValue.Boolean(section, nameof(SessionAffinityConfig.Enabled), errors),
            Policy = section[nameof(SessionAffinityConfig.Policy)],
            FailurePolicy = section[nameof(SessionAffinityConfig.FailurePolicy)],
            AffinityKeyName = section[nameof(SessionAffinityConfig.AffinityKeyName)] ?? string.Empty,
            Cookie = !cookie.Exists() ? null : new SessionAffinityCookieConfig
            {
                Path = cookie[nameof(SessionAffinityCookieConfig.Path)],
                SameSite = ConfigValue.Enum<SameSiteMode>(cookie, nameof(SessionAffinityCookieConfig.SameSite), "a SameSite mode", errors),
                HttpOnly = ConfigValue.Boolean(cookie, nameof(SessionAffinityCookieConfig.HttpOnly), errors),
                MaxAge = ConfigValue.Duration(cookie, nameof(SessionAffinityCookieConfig.MaxAge), errors),
                Domain = cookie[nameof(SessionAffinityCookieConfig.Domain)],
                IsEssential = ConfigValue.Boolean(cookie, nameof(SessionAffinityCookieConfig.IsEssential), errors),
                SecurePolicy = ConfigValue.Enum<CookieSecurePolicy>(cookie, nameof(SessionAffinityCookieConfig.SecurePolicy), "a cookie secure policy", errors),
                Expiration = ConfigValue.Duration(cookie, nameof(SessionAffinityCookieConfig.Expiration), errors),
            },
        };
    }

    private static HealthCheckConfig? HealthCheck(IConfigurationSection section, ICollection<ConfigError> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        var passive = section.GetSection(nameof(HealthCheckConfig.Passive));
        var active = section.GetSection(nameof(HealthCheckConfig.Active));
        return new HealthCheckConfig
        {
            Passive = !passive.Exists() ? null : new PassiveHealthCheckConfig
            {
                Enabled = ConfigValue.Boolean(passive, nameof(PassiveHealthCheckConfig.Enabled), errors),
                Policy = passive[nameof(PassiveHealthCheckConfig.Policy)],
                ReactivationPeriod = ConfigValue.Duration(passive, nameof(PassiveHealthCheckConfig.ReactivationPeriod), errors),
            },
            Active = !active.Exists() ? null : new ActiveHealthCheckConfig
            {
                Enabled = ConfigValue.Boolean(active, nameof(ActiveHealthCheckConfig.Enabled), errors),
                Interval = ConfigValue.Duration(active, nameof(ActiveHealthCheckConfig.Interval), errors),
                Timeout = ConfigValue.Duration(active, nameof(ActiveHealthCheckConfig.Timeout), errors),
                Policy = active[nameof(ActiveHealthCheckConfig.Policy)],
                Path = active[nameof(ActiveHealthCheckConfig.Path)],
                Query = active[nameof(ActiveHealthCheckConfig.Query)],
            },
            AvailableDestinationsPolicy = section[nameof(HealthCheckConfig.AvailableDestinationsPolicy)],
        };
    }

    private static HttpClientConfig? HttpClient(IConfigurationSection section, ICollection<ConfigError> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        SslProtocols? protocols = null;
        foreach (var entry in section.GetSection(nameof(HttpClientConfig.SslProtocols)).GetChildren())
        {
            if (entry.Value is { } value && ConfigValue.TryName<SslProtocols>(value.Trim(), out var protocol))
            {
                protocols = (protocols ?? SslProtocols.None) | protocol;
            }
            else
            {
                errors.Add(new ConfigError(entry.Path, $"'{entry.Value}' is not a TLS protocol; one of Tls12, Tls13"));
            }
        }

        var proxy = section.GetSection(nameof(HttpClientConfig.WebProxy));
        return new HttpClientConfig
        {
            SslProtocols = protocols,
            DangerousAcceptAnyServerCertificate = ConfigValue.Boolean(section, nameof(HttpClientConfig.DangerousAcceptAnyServerCertificate), errors),
            MaxConnectionsPerServer = ConfigValue.Int32(section, nameof(HttpClientConfig.MaxConnectionsPerServer), errors),
            EnableMultipleHttp2Connections = ConfigValue.Boolean(section, nameof(HttpClientConfig.EnableMultipleHttp2Connections), errors),
            RequestHeaderEncoding = section[nameof(HttpClientConfig.RequestHeaderEncoding)],
            ResponseHeaderEncoding = section[nameof(HttpClientConfig.ResponseHeaderEncoding)],
            WebProxy = !proxy.Exists() ? null : new WebProxyConfig
            {
                Address = ConfigValue.AbsoluteUri(proxy, nameof(WebProxyConfig.Address), errors),
                BypassOnLocal = ConfigValue.Boolean(proxy, nameof(WebProxyConfig.BypassOnLocal), errors),
                UseDefaultCredentials = ConfigValue.Boolean(proxy, nameof(WebProxyConfig.UseDefaultCredentials), errors),
            },
        };
    }

    private static ForwarderRequestConfig? HttpRequest(IConfigurationSection section, ICollection<ConfigError> errors) => !section.Exists()
        ? null
        : new ForwarderRequestConfig
        {
            ActivityTimeout = ConfigValue.Duration(section, nameof(ForwarderRequestConfig.ActivityTimeout), errors),
            Version = ConfigValue.Version(section, nameof(ForwarderRequestConfig.Version), errors),
            VersionPolicy = ConfigValue.Enum<HttpVersionPolicy>(section, nameof(ForwarderRequestConfig.VersionPolicy), "an HTTP version policy", errors),
            AllowResponseBuffering = ConfigValue.Boolean(section, nameof(ForwarderRequestConfig.AllowResponseBuffering), errors),
        };

    private static string[]? Array(IConfigurationSection section)
    {
        var values = section.GetChildren().Select(c => c.Value).OfType<string>().ToArray();
        return section.Exists() ? values : null;
    }

    private static Dictionary<string, string>? Strings(IConfigurationSection section) => section.Exists()
        ? section.GetChildren().Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase)
        : null;
}
