using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// OpenTelemetry over OTLP when <c>Gateway:Telemetry:OtlpEndpoint</c> is set: the gateway's meter and ASP.NET Core's,
/// Kestrel's, the runtime's and HttpClient's; with <c>Traces</c>, one span per request (ASP.NET Core's, sampled), which
/// <see cref="Ops.RequestTelemetryMiddleware"/> tags with the route, policy and refusal Reason. Unset, nothing is
/// registered: no listener exists, so no request creates an Activity.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The meters exported besides the gateway's own.</summary>
    public static readonly IReadOnlyList<string> PlatformMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", "System.Net.Http"];

    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, TelemetryOptions telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        if (telemetry.Endpoint is not { } endpoint)
        {
            return services;
        }

        var version = typeof(TelemetryServiceCollectionExtensions).Assembly.GetName().Version?.ToString(3);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("mtls-gateway", serviceVersion: version))
            .WithMetrics(metrics => metrics
                .AddMeter([GatewayMetrics.MeterName, .. PlatformMeters])
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, telemetry, endpoint, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.MetricsExportInterval.TotalMilliseconds;
                }));
        if (telemetry.Traces)
        {
            otel.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)))
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(exporter => Configure(exporter, telemetry, endpoint, "v1/traces")));
        }

        return services;
    }

    // http/protobuf posts to a path per signal under the collector's base URL; gRPC takes the base URL as it is.
    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions telemetry, Uri endpoint, string signalPath)
    {
        exporter.Protocol = telemetry.OtlpProtocol == OtlpProtocol.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        exporter.Endpoint = telemetry.OtlpProtocol == OtlpProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith(signalPath, StringComparison.Ordinal)
            ? new Uri(new Uri(endpoint.ToString().TrimEnd('/') + "/"), signalPath)
            : endpoint;
    }
}
