using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Admin;

namespace MtlsGateway.Diagnostics;

/// <summary>Registers the per-application diagnostics: metrics, the /metrics exporter, the refusal throttle and the
/// capture of Kestrel's handshake failures. Nothing here is static: gateways sharing a process share nothing.</summary>
internal static class DiagnosticsServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayDiagnostics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<KestrelTlsFailureCapture>();
        services.AddSingleton<RefusalThrottle>();
        services.AddHostedService(sp => sp.GetRequiredService<RefusalThrottle>());
        services.AddSingleton<RefusalReporter>();
        services.AddSingleton<RequestLog>();
        return services;
    }
}
