namespace MtlsGateway.Configuration;

/// <summary>
/// <c>Gateway:Limits</c>: what one client may cost the gateway. Slow or idle clients are closed at these timeouts and
/// rates, oversized requests refused, and each partner listener admits at most <see cref="MaxConcurrentConnections"/>
/// at once. Read at start (like the listeners); a change needs a restart. Defaults are Kestrel's where Kestrel's are
/// safe and tighter where a gateway in front of partners should be (docs/configuration.md).
/// </summary>
public sealed class LimitsOptions
{
    public static readonly TimeSpan DefaultRequestHeadersTimeout = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan DefaultMinDataRateGracePeriod = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultBackendActivityTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Connections each partner listener holds at once (the admin listener is exempt); one more is closed at
    /// once and counted. Null: no limit but the process's file descriptors.</summary>
    public int? MaxConcurrentConnections { get; set; }

    /// <summary>Upgraded (WebSocket) connections at once, over all listeners; null: no limit.</summary>
    public long? MaxConcurrentUpgradedConnections { get; set; }

    /// <summary>How long a client may take to send a request's headers (from its first byte) [15 s].</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = DefaultRequestHeadersTimeout;

    /// <summary>How long an idle keep-alive connection stays open between requests [60 s].</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = DefaultKeepAliveTimeout;

    /// <summary>Bytes per second a request body must keep up after the grace period [240]; 0 turns the check off.</summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>Bytes per second a client must read a response at after the grace period [240]; 0 turns the check off.</summary>
    public double MinResponseDataRate { get; set; } = 240;

    /// <summary>How long a transfer may run below the minimum rates before the connection is closed [5 s]; over 1 s.</summary>
    public TimeSpan MinDataRateGracePeriod { get; set; } = DefaultMinDataRateGracePeriod;

    /// <summary>Largest request line (method, target, version) in bytes [8192].</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Largest total size of a request's headers in bytes [32768].</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most headers in one request [100].</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Largest request body in bytes [30000000]; null: no limit.</summary>
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>YARP's ActivityTimeout for every cluster that sets no <c>HttpRequest:ActivityTimeout</c> of its own:
    /// a backend silent for this long gets the client a 504 [60 s].</summary>
    public TimeSpan BackendActivityTimeout { get; set; } = DefaultBackendActivityTimeout;

    /// <summary>Lets OpenSSL free a TLS connection's record buffers (~32 KiB) whenever they are empty, as nginx and
    /// HAProxy do, instead of holding them while the connection idles [true]. Costs a few % of keep-alive throughput.</summary>
    public bool ReleaseTlsBuffers { get; set; } = true;

    /// <summary>Appends every problem with <c>Gateway:Limits</c>, each at its path.</summary>
    public static void Validate(LimitsOptions limits, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(errors);
        const string path = "Gateway:Limits";
        if (limits.MaxConcurrentConnections is < 1)
        {
            errors.Add(new ConfigError($"{path}:MaxConcurrentConnections", $"must be at least 1 (or absent for no limit); got {limits.MaxConcurrentConnections}"));
        }

        if (limits.MaxConcurrentUpgradedConnections is < 0)
        {
            errors.Add(new ConfigError($"{path}:MaxConcurrentUpgradedConnections", $"must be 0 or more (or absent for no limit); got {limits.MaxConcurrentUpgradedConnections}"));
        }

        Positive(limits.RequestHeadersTimeout, $"{path}:RequestHeadersTimeout", "00:00:15", errors);
        Positive(limits.KeepAliveTimeout, $"{path}:KeepAliveTimeout", "00:01:00", errors);
        Positive(limits.BackendActivityTimeout, $"{path}:BackendActivityTimeout", "00:01:00", errors);
        foreach (var (key, rate) in new[] { ("MinRequestBodyDataRate", limits.MinRequestBodyDataRate), ("MinResponseDataRate", limits.MinResponseDataRate) })
        {
            if (!double.IsFinite(rate) || rate < 0)
            {
                errors.Add(new ConfigError($"{path}:{key}", $"must be bytes per second, 0 or more (0 turns the check off); got {rate}"));
            }
        }

        // Kestrel checks rates once a second: a grace period of a second or less would close a client between two checks.
        if (limits.MinDataRateGracePeriod <= TimeSpan.FromSeconds(1) || limits.MinDataRateGracePeriod > TimeSpan.FromHours(1))
        {
            errors.Add(new ConfigError($"{path}:MinDataRateGracePeriod", $"must be over 1 s and at most 1 hour, e.g. '00:00:05'; got '{limits.MinDataRateGracePeriod}'"));
        }

        Range(limits.MaxRequestLineSize, 256, 1024 * 1024, $"{path}:MaxRequestLineSize", errors);
        Range(limits.MaxRequestHeadersTotalSize, 1024, 1024 * 1024, $"{path}:MaxRequestHeadersTotalSize", errors);
        Range(limits.MaxRequestHeaderCount, 1, 10_000, $"{path}:MaxRequestHeaderCount", errors);
        if (limits.MaxRequestBodySize is < 0)
        {
            errors.Add(new ConfigError($"{path}:MaxRequestBodySize", $"must be 0 or more bytes (or absent for no limit); got {limits.MaxRequestBodySize}"));
        }
    }

    private static void Positive(TimeSpan value, string path, string example, ICollection<ConfigError> errors)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            errors.Add(new ConfigError(path, $"must be positive and at most a day, e.g. '{example}'; got '{value}'"));
        }
    }

    private static void Range(int value, int min, int max, string path, ICollection<ConfigError> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(new ConfigError(path, $"must be between {min} and {max}; got {value}"));
        }
    }
}
