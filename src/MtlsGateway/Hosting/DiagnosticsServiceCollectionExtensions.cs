using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Admin;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Runtime;

namespace MtlsGateway.Hosting;

/// <summary>Registers the per-application diagnostics: metrics, the /metrics exporter, the refusal throttle and the
/// capture of Kestrel's handshake failures. Nothing here is static: gateways sharing a process share nothing.</summary>
internal static class DiagnosticsServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayDiagnostics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ConfigurationGauges>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<KestrelTlsFailureCapture>();
        services.AddSingleton<RecentRefusals>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RefusalThrottle>(sp,
            (Func<GatewayLoggingOptions>)(() => sp.GetRequiredService<GatewayState>().Current.Options.Logging)));
        services.AddHostedService(sp => sp.GetRequiredService<RefusalThrottle>());
        services.AddSingleton<RefusalReporter>();
        services.AddSingleton<RequestLog>();
        services.AddSingleton<Ops.PartnerRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<Ops.PartnerRegistry>());
        services.AddSingleton<Ops.RouteTraffic>();
        services.AddSingleton<Ops.ConsoleFeed>();
        return services;
    }

    /// <summary>Wraps the logger factory registered last (Serilog's, from <c>AddSerilog</c>) in
    /// <see cref="KestrelTlsLoggerFactory"/>.</summary>
    public static IServiceCollection TrimKestrelTlsEvents(this IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp => new KestrelTlsLoggerFactory(registered switch
        {
            { ImplementationFactory: { } create } => (ILoggerFactory)create(sp),
            { ImplementationType: { } type } => (ILoggerFactory)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException("The logger factory must be registered by type or factory, so that the gateway owns its disposal."),
        }));
        return services;
    }
}
