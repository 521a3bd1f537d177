using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Proxying;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MtlsGateway.Loading;

/// <summary>
/// Binds the <c>Gateway</c> section, checks it as a whole (every error, each with its path and a fix),
/// loads every file it names and compiles an immutable <see cref="GatewaySnapshot"/>.
/// </summary>
public static class GatewayConfigLoader
{
    private static readonly string[] ReservedPolicyNames = ["Default", "Anonymous"];

    /// <summary>
    /// What <c>validate</c>, start and every reload run: reads the file (and the environment, and any overrides) and
    /// loads it. The result carries the configuration read and the key files others can read, for the caller to log.
    /// </summary>
    public static ConfigLoadResult LoadFile(GatewaySource source, long version, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(source);
        var configuration = GatewayConfigurationSource.TryBuild(source.ConfigPath, source.Overrides, out var readError, out var map);
        if (configuration is null)
        {
            return new ConfigLoadResult(null, [readError!]);
        }

        var exposures = new List<KeyFileExposure>();
        var result = Load(configuration, source.BaseDirectory, version, time, exposures);
        return result with { Errors = ConfigSources.Annotate(configuration, map, result.Errors), Configuration = configuration, KeyFileExposures = exposures };
    }

    public static ConfigLoadResult Load(IConfiguration configuration, string baseDirectory, long version, TimeProvider time) =>
        Load(configuration, baseDirectory, version, time, keyFileExposures: null);

    /// <summary>As above; also notes in <paramref name="keyFileExposures"/> every private key file other users can read.</summary>
    public static ConfigLoadResult Load(IConfiguration configuration, string baseDirectory, long version, TimeProvider time,
        ICollection<KeyFileExposure>? keyFileExposures)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(time);
        var errors = new List<ConfigError>();
        var section = configuration.GetSection(GatewayOptions.SectionName);
        if (!section.Exists())
        {
            return new ConfigLoadResult(null, [new ConfigError(GatewayOptions.SectionName, "section is missing; see docs/configuration.md")]);
        }

        if (Identity.Spiffe.SpiffeBundleKeys.Check(section) is { Count: > 0 } badBundleKeys)
        {
            return new ConfigLoadResult(null, badBundleKeys);
        }

        // Every unknown key and every value that does not convert, all at once; the rest is bound and checked as usual.
        var shapeErrors = ConfigShape.Check(section, typeof(GatewayOptions));
        GatewayOptions options;
        try
        {
            var bindable = shapeErrors.Count == 0 ? section : ConfigShape.Without(section, shapeErrors);
            options = bindable.Get<GatewayOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new GatewayOptions();
        }
        catch (InvalidOperationException ex)
        {
            // Not expected after the shape check; the binder's own words, still at the section.
            return new ConfigLoadResult(null, [.. shapeErrors, new ConfigError(GatewayOptions.SectionName, BinderMessage(ex))]);
        }

        errors.AddRange(shapeErrors);

        // Before any loader opens a file: a path no file API accepts.
        if (ConfigFileChecks.Unusable(options) is { Count: > 0 } unusable)
        {
            return new ConfigLoadResult(null, [.. shapeErrors, .. unusable]);
        }

        var listeners = LoadListeners(options, errors);
        var admin = string.IsNullOrWhiteSpace(options.Admin.Url)
            ? null
            : ListenerEndpoint.Parse("admin", options.Admin.Url, TimeSpan.FromSeconds(10), "Gateway:Admin:Url", errors);
        if (admin is { IsTls: true })
        {
            errors.Add(new ConfigError("Gateway:Admin:Url", "the admin listener serves plain HTTP; use http:// and keep it on loopback"));
        }

        AdminOptions.Validate(options.Admin, admin, errors);

        var serverCertificates = ServerCertificateLoader.Load(options.ServerCertificates, baseDirectory, errors, keyFileExposures);
        if (listeners.Any(l => l.IsTls) && options.ServerCertificates.Count == 0)
        {
            errors.Add(new ConfigError("Gateway:ServerCertificates", "an https listener needs at least one server certificate; add CertificateFile and KeyFile"));
        }

        var trustStores = new Dictionary<string, TrustStore>(StringComparer.Ordinal);
        foreach (var (name, store) in options.TrustStores)
        {
            if (TrustStoreLoader.Load(name, store, baseDirectory, errors) is { } loaded)
            {
                trustStores[name] = loaded;
            }
        }

        var policies = LoadPolicies(configuration, options, trustStores, baseDirectory, time, errors);
        var defaultPolicy = ResolveDefaultPolicy(options, policies, errors);
        var routes = LoadRoutes(configuration, options, errors);
        var (proxyRoutes, proxyClusters) = CompileProxy(configuration, options, policies, errors);
        var passthrough = LoadPassthrough(options, routes, errors);
        var upstreams = Upstreams.UpstreamTlsLoader.Load(configuration, options, trustStores, baseDirectory, errors, keyFileExposures);
        LimitsOptions.Validate(options.Limits, errors);
        RateLimitOptions.Validate(options.RateLimits, configuration, errors);
        RouteFeatureOptions.Validate(configuration, errors);
        if (options.Reload.PollInterval <= TimeSpan.Zero)
        {
            errors.Add(new ConfigError("Gateway:Reload:PollInterval", $"must be positive, e.g. '00:00:02'; got '{options.Reload.PollInterval}'"));
        }
        ShutdownOptions.Validate(options.Shutdown, errors);
        TelemetryOptions.Validate(options.Telemetry, errors);
        DiagnosticsOptions.Validate(options.Diagnostics, errors);

        // A value dropped for not converting is not also "missing".
        errors.RemoveAll(e => !shapeErrors.Contains(e) && shapeErrors.Any(s => e.Path.Equals(s.Path, StringComparison.OrdinalIgnoreCase)));
        if (errors.Count > 0 || defaultPolicy is null)
        {
            return new ConfigLoadResult(null, errors);
        }

        var snapshot = new GatewaySnapshot
        {
            Version = version,
            Hash = ComputeHash(configuration, options, baseDirectory),
            LoadedAt = time.GetUtcNow(),
            Listeners = listeners,
            Admin = admin,
            ServerCertificates = serverCertificates,
            TrustStores = trustStores,
            Policies = policies,
            DefaultPolicy = defaultPolicy,
            Routes = routes,
            ProxyRoutes = proxyRoutes,
            ProxyClusters = proxyClusters,
            Passthrough = passthrough,
            Upstreams = upstreams,
            Options = options,
        };
        return new ConfigLoadResult(snapshot, errors);
    }

    private static List<ListenerEndpoint> LoadListeners(GatewayOptions options, List<ConfigError> errors)
    {
        var listeners = new List<ListenerEndpoint>();
        if (options.Listeners.Count == 0)
        {
            errors.Add(new ConfigError("Gateway:Listeners", "no listener is configured; add e.g. \"public\": { \"Url\": \"https://0.0.0.0:8443\" }"));
        }

        foreach (var (name, listener) in options.Listeners.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var proxyProtocol = ProxyProtocolSettings.Compile(listener.ProxyProtocol, $"Gateway:Listeners:{name}:ProxyProtocol", errors);
            if (ListenerEndpoint.Parse(name, listener.Url, listener.HandshakeTimeout, $"Gateway:Listeners:{name}:Url", errors) is { } parsed)
            {
                if (parsed.EndPoint.Port != 0 && listeners.FirstOrDefault(l => l.EndPoint.Port == parsed.EndPoint.Port) is { } clash)
                {
                    errors.Add(new ConfigError($"Gateway:Listeners:{name}:Url", $"port {parsed.EndPoint.Port} is already used by listener '{clash.Name}'; give each listener its own port"));
                    continue;
                }

                listeners.Add(parsed with { ProxyProtocol = proxyProtocol });
            }
        }

        return listeners;
    }

    private static Dictionary<string, GatewayPolicy> LoadPolicies(
        IConfiguration configuration, GatewayOptions options, Dictionary<string, TrustStore> trustStores, string baseDirectory, TimeProvider time, List<ConfigError> errors)
    {
        var policies = new Dictionary<string, GatewayPolicy>(StringComparer.Ordinal);
        foreach (var (name, policy) in options.Policies)
        {
            var path = $"Gateway:Policies:{name}";
            if (ReservedPolicyNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError(path, $"'{name}' is reserved by ASP.NET Core authorization; choose another policy name"));
                continue;
            }

            if (policy.Mode is null)
            {
                errors.Add(new ConfigError($"{path}:Mode", "is missing; set it to Strict or Permissive"));
            }

            var partners = PolicyPartnersLoader.Load(name, policy, options, trustStores, errors);
            IdentityHeaderNames.Validate(policy.Identity, $"{path}:Identity", errors);
            if (policy.InvalidCertificate == InvalidCertificateHandling.Report && policy.Mode == PolicyMode.Strict)
            {
                errors.Add(new ConfigError($"{path}:InvalidCertificate",
                    "'Report' applies to Permissive policies only (Strict always refuses); remove it, or set Mode to Permissive while partners migrate"));
            }

            // A token's lifetime is judged within the most lenient ClockSkew of the policy's partner stores.
            var boundToken = policy.BoundToken is { } token
                ? Policies.BoundTokens.BoundTokenPolicy.Load(token, $"{path}:BoundToken", baseDirectory,
                    partners.Select(p => p.TrustStore).MaxBy(s => s.ClockSkew), time, errors)
                : null;
            if (policy.Mode is { } mode && partners.Count > 0)
            {
                policies[name] = new GatewayPolicy(name, mode, partners, policy.Identity)
                {
                    BoundToken = boundToken,
                    InvalidCertificate = policy.InvalidCertificate,
                    Revision = Digest(configuration, [path, "Gateway:TrustStores"])[..16],
                };
            }
        }

        PolicyPartnersLoader.CheckNamesAcrossPolicies(options, errors);
        return policies;
    }

    private static GatewayPolicy? ResolveDefaultPolicy(GatewayOptions options, Dictionary<string, GatewayPolicy> policies, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(options.DefaultPolicy))
        {
            errors.Add(new ConfigError("Gateway:DefaultPolicy",
                $"is missing; every route without an AuthorizationPolicy (and nothing is left open) uses it; set it to one of: {ConfigError.Known(options.Policies.Keys)}"));
            return null;
        }

        if (policies.TryGetValue(options.DefaultPolicy, out var policy))
        {
            return policy;
        }

        if (!options.Policies.ContainsKey(options.DefaultPolicy))
        {
            errors.Add(new ConfigError("Gateway:DefaultPolicy", $"'{options.DefaultPolicy}' is not a policy; known: {ConfigError.Known(options.Policies.Keys)}"));
        }

        return null;
    }

    private static List<RouteSummary> LoadRoutes(IConfiguration configuration, GatewayOptions options, List<ConfigError> errors)
    {
        var routes = new List<RouteSummary>();
        var clusters = configuration.GetSection("ReverseProxy:Clusters").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var path = $"ReverseProxy:Routes:{route.Key}";
            RouteUpgrades.Validate(route.GetSection("Metadata"), path, errors);
            var policyName = route["AuthorizationPolicy"];
            if (string.Equals(policyName, "Anonymous", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError($"{path}:AuthorizationPolicy",
                    "'Anonymous' would leave the route open; name a Permissive policy to accept clients without a certificate"));
                continue;
            }

            var resolved = ResolvePolicyName(policyName, options);
            if (!string.IsNullOrEmpty(policyName) && resolved == policyName && !options.Policies.ContainsKey(policyName))
            {
                errors.Add(new ConfigError($"{path}:AuthorizationPolicy", $"'{policyName}' is not a policy; known: {ConfigError.Known(options.Policies.Keys)}"));
                continue;
            }

            var clusterId = route["ClusterId"];
            if (string.IsNullOrEmpty(clusterId))
            {
                errors.Add(new ConfigError($"{path}:ClusterId", $"is missing; name a cluster; known: {ConfigError.Known(clusters)}"));
            }
            else if (!clusters.Contains(clusterId))
            {
                errors.Add(new ConfigError($"{path}:ClusterId", $"'{clusterId}' is not a cluster; known: {ConfigError.Known(clusters)}"));
            }

            var hosts = new List<HostPattern>();
            var hostEntries = route.GetSection("Match:Hosts").GetChildren().ToList();
            foreach (var host in hostEntries)
            {
                // YARP allows a port in a route host; SNI never carries one.
                var name = host.Value?.Split(':')[0];
                if (HostPattern.TryParse(name, out var pattern))
                {
                    hosts.Add(pattern!);
                }
                else
                {
                    errors.Add(new ConfigError($"{path}:Match:Hosts:{host.Key}", $"'{host.Value}' is not a host name or a '*.example.com' wildcard"));
                }
            }

            if (!route.GetSection("Match").Exists())
            {
                errors.Add(new ConfigError($"{path}:Match", "is missing; set at least Match:Path, e.g. '/{**catch-all}'"));
            }

            routes.Add(new RouteSummary(route.Key, hosts, resolved ?? string.Empty));
        }

        return routes;
    }

    /// <summary>The policy a route's <c>AuthorizationPolicy</c> names: unset or <c>Default</c> mean Gateway:DefaultPolicy.</summary>
    private static string? ResolvePolicyName(string? name, GatewayOptions options) =>
        string.IsNullOrEmpty(name) || string.Equals(name, "Default", StringComparison.OrdinalIgnoreCase) ? options.DefaultPolicy : name;

    /// <summary>
    /// YARP's routes and clusters as YARP will get them: each route with its gateway policy in the metadata instead of
    /// an authorization policy, each cluster without an activity timeout of its own with Gateway:Limits:BackendActivityTimeout
    /// (a silent backend answers 504 after a time ops chose rather than YARP's built-in 100 s); then YARP's own validation.
    /// </summary>
    private static (List<RouteConfig> Routes, List<ClusterConfig> Clusters) CompileProxy(
        IConfiguration configuration, GatewayOptions options, Dictionary<string, GatewayPolicy> policies, List<ConfigError> errors)
    {
        var routes = ProxyConfigReader.ReadRoutes(configuration, errors)
            .Select(route => policies.TryGetValue(ResolvePolicyName(route.AuthorizationPolicy, options) ?? string.Empty, out var policy)
                ? RoutePolicy.Attach(route, policy)
                : route with { AuthorizationPolicy = null })
            .ToList();
        var clusters = ProxyConfigReader.ReadClusters(configuration, errors)
            .Select(cluster => cluster.HttpRequest?.ActivityTimeout is not null
                ? cluster
                : cluster with { HttpRequest = (cluster.HttpRequest ?? new ForwarderRequestConfig()) with { ActivityTimeout = options.Limits.BackendActivityTimeout } })
            .ToList();
        ProxyConfigValidation.Validate(routes, clusters, options.RateLimits.Keys, errors);
        return (routes, clusters);
    }

    private static List<PassthroughRoute> LoadPassthrough(GatewayOptions options, List<RouteSummary> routes, List<ConfigError> errors)
    {
        var entries = new List<PassthroughRoute>();
        foreach (var (name, entry) in options.Passthrough)
        {
            var path = $"Gateway:Passthrough:{name}";
            var hosts = new List<HostPattern>();
            if (entry.Hosts.Count == 0)
            {
                errors.Add(new ConfigError($"{path}:Hosts", "lists no SNI host names; add the names whose TLS goes through untouched"));
            }

            for (var i = 0; i < entry.Hosts.Count; i++)
            {
                if (!HostPattern.TryParse(entry.Hosts[i], out var pattern))
                {
                    errors.Add(new ConfigError($"{path}:Hosts:{i}", $"'{entry.Hosts[i]}' is not a host name or a '*.example.com' wildcard"));
                    continue;
                }

                hosts.Add(pattern!);
                foreach (var route in routes.Where(r => r.Hosts.Any(h => h.Overlaps(pattern!))))
                {
                    errors.Add(new ConfigError($"{path}:Hosts:{i}",
                        $"'{pattern}' is also served by route '{route.RouteId}', which terminates TLS; a host is either passthrough or terminated"));
                }

                foreach (var other in entries.Where(e => e.Hosts.Any(h => h.Overlaps(pattern!))))
                {
                    errors.Add(new ConfigError($"{path}:Hosts:{i}", $"'{pattern}' is also in passthrough entry '{other.Name}'; list each host once"));
                }
            }

            if (entry.Destinations.Count == 0)
            {
                errors.Add(new ConfigError($"{path}:Destinations", "lists no destinations; add 'host:port' entries"));
            }

            for (var i = 0; i < entry.Destinations.Count; i++)
            {
                var destination = entry.Destinations[i];
                var colon = destination.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(destination.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                {
                    errors.Add(new ConfigError($"{path}:Destinations:{i}", $"'{destination}' is not 'host:port'"));
                }
            }

            foreach (var (key, value) in new[] { ("ConnectTimeout", entry.ConnectTimeout), ("IdleTimeout", entry.IdleTimeout), ("DrainTimeout", entry.DrainTimeout) })
            {
                if (value <= TimeSpan.Zero)
                {
                    errors.Add(new ConfigError($"{path}:{key}", $"must be positive, e.g. '00:00:05'; got '{value}'"));
                }
            }

            entries.Add(new PassthroughRoute(name, hosts, entry.Destinations));
        }

        return entries;
    }

    /// <summary>SHA-256 (hex) over the values of the given sections.</summary>
    private static string Digest(IConfiguration configuration, string[] sections)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendSections(hash, configuration, sections);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendSections(IncrementalHash hash, IConfiguration configuration, string[] sections)
    {
        foreach (var name in sections)
        {
            foreach (var (key, value) in configuration.GetSection(name).AsEnumerable().OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (InstanceSpecificKeys.Contains(key))
                {
                    continue;
                }

                hash.AppendData(Encoding.UTF8.GetBytes($"{key}={value}\n"));
            }
        }
    }

    private static string ComputeHash(IConfiguration configuration, GatewayOptions options, string baseDirectory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendSections(hash, configuration, [GatewayOptions.SectionName, ProxyConfigReader.SectionName]);

        foreach (var (file, limit) in ReferencedFiles(options, baseDirectory).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // Every file was just read by its loader; one that changed since is the watcher's to notice.
            SafeFile.TryHash(file, limit, hash, out _);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Every file the configuration names, with its size cap; for a folder, the files in it its loader reads
    /// (by extension), never anything else there. The reload watcher watches the same list.</summary>
    public static IEnumerable<(string Path, FileLimit Limit)> ReferencedFiles(GatewayOptions options, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificates = options.ServerCertificates.SelectMany(c => new[] { c.CertificateFile, c.KeyFile })
            .Concat(options.Upstreams.Values.SelectMany(u => new[] { u.ClientCertificate?.CertificateFile, u.ClientCertificate?.KeyFile }));
        var files = certificates.Select(path => (Path: path, Extensions: (string[]?)null, Limit: FileLimit.Certificate))
            .Concat(options.TrustStores.SelectMany(s =>
                s.Value.CaFiles.Select(path => (Path: (string?)path, Extensions: (string[]?)TrustStoreLoader.CaExtensions, Limit: FileLimit.Ca))
                    .Concat(s.Value.CrlFiles.Select(path => (Path: (string?)path, Extensions: (string[]?)TrustStoreLoader.CrlExtensions,
                        Limit: FileLimit.Crl(s.Value.MaxCrlSize, $"Gateway:TrustStores:{s.Key}"))))
                    .Concat(s.Value.SpiffeBundles.Values.Select(path => (Path: (string?)path, Extensions: (string[]?)null, Limit: FileLimit.SpiffeBundle)))))
            .Concat(options.Policies.Values.Select(p => (Path: p.BoundToken?.SigningKeysFile, Extensions: (string[]?)null, Limit: Policies.BoundTokens.SigningKeySet.Limit)));
        foreach (var (path, extensions, limit) in files)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                continue;
            }

            var full = ConfigFiles.Resolve(baseDirectory, path);
            var entries = extensions is not null && Directory.Exists(full) ? ConfigFiles.FolderEntries(full, extensions, out _) : null;
            foreach (var file in entries ?? [full])
            {
                yield return (file, limit);
            }
        }
    }


    private static string BinderMessage(InvalidOperationException ex)
    {
        var message = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
        return $"{message} Check the spelling of the key and the type of the value against docs/configuration.md.";
    }
}
