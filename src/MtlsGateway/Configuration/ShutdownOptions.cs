namespace MtlsGateway.Configuration;

/// <summary>
/// <c>Gateway:Shutdown</c>: what SIGTERM does. <c>/readyz</c> answers 503 at once; the listeners keep accepting for
/// <see cref="PreStopDelay"/> (so a balancer that polls <c>/readyz</c> stops sending first), then close; requests in
/// flight get <see cref="DrainTimeout"/> to finish, after which what is left is aborted and the process exits 0.
/// The host's shutdown timeout is their sum. Read at start.
/// </summary>
public sealed class ShutdownOptions
{
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(25);

    /// <summary>How long the listeners keep accepting after SIGTERM, <c>/readyz</c> already 503 [0].</summary>
    public TimeSpan PreStopDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long requests in flight may take to finish once the listeners are closed [25 s].</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>The host's whole shutdown budget: the pre-stop delay, then the drain.</summary>
    public TimeSpan HostShutdownTimeout => PreStopDelay + DrainTimeout;

    /// <summary>Appends every problem with <c>Gateway:Shutdown</c>, each at its path.</summary>
    public static void Validate(ShutdownOptions shutdown, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(shutdown);
        ArgumentNullException.ThrowIfNull(errors);
        if (shutdown.PreStopDelay < TimeSpan.Zero || shutdown.PreStopDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add(new ConfigError("Gateway:Shutdown:PreStopDelay", $"must be between 0 and 5 minutes, e.g. '00:00:05'; got '{shutdown.PreStopDelay}'"));
        }

        if (shutdown.DrainTimeout <= TimeSpan.Zero || shutdown.DrainTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add(new ConfigError("Gateway:Shutdown:DrainTimeout", $"must be positive and at most 10 minutes, e.g. '00:00:25'; got '{shutdown.DrainTimeout}'"));
        }
    }
}
