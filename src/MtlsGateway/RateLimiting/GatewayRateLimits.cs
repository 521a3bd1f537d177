using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.RateLimiting;

/// <summary>
/// <c>Gateway:RateLimits</c>: one token bucket (System.Threading.RateLimiting) per partition, in the framework's
/// partitioned limiter, which replenishes them and evicts idle ones. Each request takes its limit's settings from the
/// configuration in force, so a reload that changes them applies to the next request. The partition
/// (<see cref="RateLimitPartitionBy"/>) is read from what admission established, which is why
/// <see cref="RateLimitMiddleware"/> runs after <see cref="Proxying.PolicyEnforcementMiddleware"/>. A refusal is a 429
/// problem+json with an honest <c>Retry-After</c>, reported like every refusal and counted by policy and partition kind
/// (never by certificate).
/// </summary>
public sealed class GatewayRateLimits : IDisposable
{
    private readonly GatewayState _state;
    private readonly RefusalReporter _reporter;
    private readonly ILogger<GatewayRateLimits> _logger;
    private readonly Counter<long> _limited;
    // Live buckets, to bound them per limit (MaxPartitions): the framework evicts idle ones but keeps no count.
    private readonly ConcurrentDictionary<RateLimitKey, byte> _live = new();
    private readonly ConcurrentDictionary<string, StrongBox> _counts = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<RateLimitKey> _buckets;

    public GatewayRateLimits(GatewayState state, GatewayMetrics metrics, RefusalReporter reporter, ILogger<GatewayRateLimits> logger)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(metrics);
        _state = state;
        _reporter = reporter;
        _logger = logger;
        Registered = state.Current.Options.RateLimits.Keys.ToHashSet(StringComparer.Ordinal);
        Func<RateLimitKey, RateLimiter> create = Create; // one delegate, not one per request
        _buckets = PartitionedRateLimiter.Create<RateLimitKey, RateLimitKey>(key => RateLimitPartition.Get(key, create));
        _limited = metrics.Meter.CreateCounter<long>("mtls_gateway.rate_limited",
            description: "Requests refused by a rate limit, by policy and partition kind (certificate, partner, policy, remote_ip).");
        metrics.Meter.CreateObservableGauge("mtls_gateway.rate_limit.partitions", ObservePartitions,
            description: "Token buckets each rate limit holds (idle ones are evicted; at most MaxPartitions).");
    }

    /// <summary>The limits registered with ASP.NET Core at start: the names a route's RateLimiterPolicy may use.</summary>
    public IReadOnlySet<string> Registered { get; }

    /// <summary>Errors for a configuration whose routes name a limit added since start (ASP.NET Core's rate limiter
    /// cannot register one later, and YARP would refuse the route).</summary>
    public IReadOnlyList<ConfigError> Unregistered(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var added = snapshot.Options.RateLimits.Keys.Where(name => !Registered.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (added.Count == 0)
        {
            return [];
        }

        var errors = snapshot.ProxyRoutes
            .Where(route => route.RateLimiterPolicy is { } name && added.Contains(name, StringComparer.Ordinal))
            .Select(route => new ConfigError($"ReverseProxy:Routes:{route.RouteId}:RateLimiterPolicy",
                $"'{route.RateLimiterPolicy}' was added to Gateway:RateLimits after start; rate limits are registered at start, so restart the gateway to use it"))
            .ToList();
        if (errors.Count == 0)
        {
            _logger.RateLimitNeedsRestart(string.Join(", ", added));
        }

        return errors;
    }

    /// <summary>A permit from the bucket <paramref name="context"/> draws from under limit <paramref name="name"/>; null
    /// when a reload removed the limit (the route then has none). A token bucket's lease holds nothing: the caller
    /// disposes it at once.</summary>
    public RateLimitLease? Acquire(string name, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_state.Current.Options.RateLimits.TryGetValue(name, out var limit))
        {
            return null;
        }

        var key = new RateLimitKey(name, limit.PermitsPerSecond, limit.EffectiveBurst, limit.PartitionBy, PartitionValue(limit.PartitionBy, context));
        if (!_live.ContainsKey(key) && Count(name).Value >= limit.MaxPartitions)
        {
            key = key.AsOverflow();
        }

        return _buckets.AttemptAcquire(key);
    }

    /// <summary>Answers a request limit <paramref name="name"/> refused, and disposes the refusing lease.</summary>
    public async Task RejectAsync(HttpContext context, string name, RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lease);
        _state.Current.Options.RateLimits.TryGetValue(name, out var limit);
        var identity = context.Features.Get<ClientIdentityFeature>();
        var connection = context.Features.Get<GatewayConnection>();
        // The bucket's own answer: the time until enough tokens have come back, in whole seconds (RFC 9110 allows no less than 1).
        TimeSpan retryAfter;
        using (lease)
        {
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        }

        var seconds = (long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        var kind = limit?.PartitionBy ?? RateLimitPartitionBy.Certificate;
        var policy = identity?.Policy.Name;
        _limited.Add(1, new TagList { { "policy", policy ?? string.Empty }, { "partition", KindTag(kind) } });
        var partner = identity?.Partner;
        _reporter.RequestRejected(_logger, new RefusalDetails
        {
            Reason = RejectReason.RateLimited,
            Hint = limit is null
                ? $"rate limit '{name}' is exhausted; retry after {seconds} s"
                : string.Create(CultureInfo.InvariantCulture,
                    $"rate limit '{name}' ({limit.PermitsPerSecond}/s, burst {limit.EffectiveBurst}, per {kind}) is exhausted for this client; retry after {seconds} s, or raise Gateway:RateLimits:{name}"),
            RemoteIp = context.Connection.RemoteIpAddress?.ToString(),
            RemotePort = context.Connection.RemotePort,
            Listener = connection?.ListenerName,
            Sni = connection?.Sni,
            Host = context.Request.Host.Value,
            Route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId,
            Policy = policy,
            TrustStore = identity?.AdmittedBy?.TrustStore.Name,
            Partner = partner,
            TlsProtocol = connection?.TlsProtocol,
            ConnectionId = context.Connection.Id,
            TraceId = context.TraceIdentifier,
        }.WithCertificate(connection?.ClientIdentity));

        await ProblemResponse.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", nameof(RejectReason.RateLimited),
            ProblemResponse.ClientDetail(RejectReason.RateLimited),
            new KeyValuePair<string, string>("Retry-After", seconds.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
    }

    private static string PartitionValue(RateLimitPartitionBy by, HttpContext context)
    {
        var identity = context.Features.Get<ClientIdentityFeature>();
        var value = by switch
        {
            RateLimitPartitionBy.Certificate => identity?.Verified?.Identity.Sha256,
            RateLimitPartitionBy.Partner => identity?.Partner,
            RateLimitPartitionBy.Policy => identity?.Policy.Name,
            _ => null,
        };

        // Without the identity asked for (no certificate on a Permissive policy), the client's address; never mixed up
        // with an identity's value.
        return value ?? "ip:" + context.Connection.RemoteIpAddress;
    }

    private static string KindTag(RateLimitPartitionBy by) => by switch
    {
        RateLimitPartitionBy.Certificate => "certificate",
        RateLimitPartitionBy.Partner => "partner",
        RateLimitPartitionBy.Policy => "policy",
        _ => "remote_ip",
    };

    private RateLimiter Create(RateLimitKey key)
    {
        var count = Count(key.Limit);
        _live[key] = 0;
        if (Interlocked.Increment(ref count.Value) == (_state.Current.Options.RateLimits.GetValueOrDefault(key.Limit)?.MaxPartitions ?? -1))
        {
            _logger.RateLimitPartitionsFull(key.Limit, count.Value);
        }

        // Whole permits per period, the period ~100 ms (the partitioned limiter's replenishing tick) or longer for slow
        // rates: exactly PermitsPerSecond on average, and the lease's RetryAfter is the bucket's real wait.
        var perPeriod = (int)Math.Max(1, Math.Round(key.PermitsPerSecond / 10));
        var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = key.Burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / key.PermitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        return new CountedTokenBucket(bucket, () =>
        {
            _live.TryRemove(key, out _);
            Interlocked.Decrement(ref count.Value);
        });
    }

    public void Dispose() => _buckets.Dispose();

    private StrongBox Count(string limit) => _counts.GetOrAdd(limit, static _ => new StrongBox());

    private IEnumerable<Measurement<int>> ObservePartitions() =>
        _counts.Select(pair => new Measurement<int>(Volatile.Read(ref pair.Value.Value), new KeyValuePair<string, object?>("limit", pair.Key)));

    /// <summary>A shared, mutable count.</summary>
    private sealed class StrongBox
    {
#pragma warning disable SA1401 // Interlocked needs the field itself.
        public int Value;
#pragma warning restore SA1401
    }
}
