namespace MtlsGateway.Configuration;

/// <summary>
/// <c>Gateway:Telemetry</c>: OpenTelemetry export over OTLP. Unset <see cref="OtlpEndpoint"/> means off (nothing is
/// registered, so requests pay nothing). Read at start: a change needs a restart, like the listeners.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The collector's base URL, e.g. <c>http://collector:4317</c> (gRPC) or <c>http://collector:4318</c> (http/protobuf).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> [default, OTLP's own] or <c>HttpProtobuf</c>.</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>Export distributed traces too [false]: one span per request, sampled at <see cref="TraceSampleRatio"/>.</summary>
    public bool Traces { get; set; }

    /// <summary>Share of requests whose span is recorded, 0 to 1 [0.01]; a sampled parent from the client is honoured.</summary>
    public double TraceSampleRatio { get; set; } = 0.01;

    /// <summary>How often metrics are pushed [1 minute].</summary>
    public TimeSpan MetricsExportInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The endpoint as a URI, once validated.</summary>
    public Uri? Endpoint => Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>Appends every problem with <c>Gateway:Telemetry</c>, each at its path.</summary>
    public static void Validate(TelemetryOptions telemetry, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(errors);
        const string path = "Gateway:Telemetry";
        if (string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            if (telemetry.Traces)
            {
                errors.Add(new ConfigError($"{path}:Traces", "is true but OtlpEndpoint is not set; set OtlpEndpoint to your collector, e.g. 'http://collector:4317'"));
            }

            return;
        }

        if (telemetry.Endpoint is not { } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(new ConfigError($"{path}:OtlpEndpoint", $"'{telemetry.OtlpEndpoint}' is not an http(s) URL; write the collector's, e.g. 'http://collector:4317' (gRPC) or 'http://collector:4318' (HttpProtobuf)"));
        }

        if (double.IsNaN(telemetry.TraceSampleRatio) || telemetry.TraceSampleRatio is < 0 or > 1)
        {
            errors.Add(new ConfigError($"{path}:TraceSampleRatio", $"must be between 0 and 1 (a share of requests), e.g. 0.01; got {telemetry.TraceSampleRatio}"));
        }

        if (telemetry.MetricsExportInterval < TimeSpan.FromSeconds(1) || telemetry.MetricsExportInterval > TimeSpan.FromHours(1))
        {
            errors.Add(new ConfigError($"{path}:MetricsExportInterval", $"must be between 1 second and 1 hour, e.g. '00:01:00'; got '{telemetry.MetricsExportInterval}'"));
        }
    }
}

/// <summary>OTLP's two transports.</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
