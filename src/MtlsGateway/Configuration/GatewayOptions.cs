namespace MtlsGateway.Configuration;

/// <summary>The <c>Gateway</c> section, bound from configuration (GATEWAY.md, "Configuration").</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public Dictionary<string, ListenerOptions> Listeners { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public AdminOptions Admin { get; set; } = new();

    public List<ServerCertificateOptions> ServerCertificates { get; set; } = [];

    public Dictionary<string, TrustStoreOptions> TrustStores { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.Ordinal);

    public string? DefaultPolicy { get; set; }

    public Dictionary<string, PassthroughOptions> Passthrough { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, UpstreamOptions> Upstreams { get; set; } = new(StringComparer.Ordinal);

    public ReloadOptions Reload { get; set; } = new();

    /// <summary>Named token-bucket limits a route selects with its <c>RateLimiterPolicy</c> (docs/configuration.md, "Gateway:RateLimits").</summary>
    public Dictionary<string, RateLimitOptions> RateLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Timeouts, rates, sizes and connection limits per client (docs/configuration.md, "Gateway:Limits").</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>What SIGTERM does: pre-stop delay and drain (docs/configuration.md, "Gateway:Shutdown").</summary>
    public ShutdownOptions Shutdown { get; set; } = new();

    /// <summary>Request logging and the summarising of repeated refusals (docs/observability.md).</summary>
    public GatewayLoggingOptions Logging { get; set; } = new();

    /// <summary>What the status page keeps of the partners seen (docs/configuration.md, "Gateway:Diagnostics").</summary>
    public DiagnosticsOptions Diagnostics { get; set; } = new();

    /// <summary>OpenTelemetry export (docs/observability.md, "OpenTelemetry").</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Development only: an in-process echo backend for the demo.</summary>
    public DemoBackendOptions? DemoBackend { get; set; }
}
