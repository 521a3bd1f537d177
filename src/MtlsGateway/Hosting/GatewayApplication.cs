using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Admin;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Demo;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Loading;
using MtlsGateway.Ops;
using MtlsGateway.Passthrough;
using MtlsGateway.Policies;
using MtlsGateway.Proxying;
using MtlsGateway.RateLimiting;
using MtlsGateway.Runtime;
using MtlsGateway.Tls;
using Serilog;
using Serilog.Formatting.Compact;

namespace MtlsGateway.Hosting;

/// <summary>Composes the gateway: configuration, logging, Kestrel listeners, policies, YARP and the admin endpoints.</summary>
public static class GatewayApplication
{
    /// <summary>Builds the gateway; throws <see cref="ConfigInvalidException"/> when the configuration does not validate.</summary>
    public static WebApplication Build(GatewayRunOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var configPath = Path.GetFullPath(run.ConfigPath);
        var time = run.TimeProvider ?? TimeProvider.System;
        var source = new GatewaySource(configPath, run.Overrides);
        var loaded = GatewayConfigLoader.LoadFile(source, version: 1, time);
        if (!loaded.IsValid)
        {
            throw new ConfigInvalidException(loaded.Errors);
        }

        var snapshot = loaded.Snapshot!;
        var configuration = loaded.Configuration!;
        var builder = WebApplication.CreateSlimBuilder(HostConfiguration.Options(source.BaseDirectory));
        // Under systemd (Type=notify) READY=1 is sent once the listeners are bound and STOPPING=1 on SIGTERM; elsewhere a no-op.
        builder.Host.UseSystemd();
        // Nothing reads the application's IConfiguration for what a reload may change: YARP gets its routes from the
        // snapshot (GatewayProxyConfigProvider), everything else from GatewayState. What start read stays for the rest.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);

        // preserveStaticLogger: each gateway (tests start several in one process) logs through its own logger, never the static one.
        builder.Services.AddSerilog(
            (services, logging) =>
        {
            if (configuration.GetSection("Serilog").Exists())
            {
                logging.ReadFrom.Configuration(configuration);
            }
            else
            {
                logging.MinimumLevel.Information().WriteTo.Console(new CompactJsonFormatter());
            }

            logging.Enrich.FromLogContext();
            // ASP.NET Core starts an Activity and a logging scope for every request whenever this category is enabled
            // (its "Request starting/finished" lines, which RequestCompleted replaces). Off, a request costs neither;
            // a trace context the client sent passes to the backend unchanged, and each request's events carry TraceId.
            logging.MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", (Serilog.Events.LogEventLevel)((int)Serilog.Events.LogEventLevel.Fatal + 1));
            // Kestrel logs why a handshake failed only at Debug: let that category through to the capture,
            // which keeps the reason for HandshakeFailed and hides those lines from every sink.
            logging.MinimumLevel.Override(KestrelTlsFailureCapture.Category, Serilog.Events.LogEventLevel.Debug)
                .Filter.With(services.GetRequiredService<KestrelTlsFailureCapture>());
            run.ConfigureLogging?.Invoke(logging);
        },
            preserveStaticLogger: true);
        builder.Services.TrimKestrelTlsEvents();

        var state = new GatewayState();
        state.Apply(snapshot);
        builder.Services.AddSingleton(state);
        var proxyConfig = new GatewayProxyConfigProvider(snapshot);
        builder.Services.AddSingleton(proxyConfig);
        builder.Services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>(proxyConfig);
        builder.Services.AddSingleton<Yarp.ReverseProxy.Configuration.IConfigChangeListener>(proxyConfig);
        builder.Services.AddSingleton(source);
        builder.Services.AddSingleton<ConfigReloadService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloadService>());
        builder.Services.TryAddSingleton(time);
        builder.Services.AddSingleton<BoundListeners>();
        builder.Services.AddOnlineRevocation();
        builder.Services.AddHostedService<CrlRefreshService>();
        builder.Services.AddSingleton<CertificatePolicyEvaluator>();
        builder.Services.AddSingleton(new PresentedCertificateCache());
        builder.Services.AddSingleton<TlsHandshakeHandler>();
        builder.Services.AddSingleton<PassthroughMetrics>();
        builder.Services.AddSingleton<PassthroughRelayRegistry>();
        builder.Services.AddSingleton<DestinationConnector>();
        builder.Services.AddSingleton<PassthroughProxy>();
        builder.Services.AddSingleton<RequestAdmission>();
        builder.Services.AddGatewayListeners(snapshot);
        builder.Services.AddGatewayDiagnostics();
        builder.Services.AddGatewayRateLimits();
        // A route's Timeout (YARP puts it in the endpoint's metadata and refuses to forward without this middleware).
        builder.Services.AddRequestTimeouts();
        builder.Services.AddGatewayTelemetry(snapshot.Options.Telemetry);
        builder.Services.AddSingleton(snapshot.Options.Shutdown);
        builder.Services.AddHostedService<GracefulShutdownService>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = snapshot.Options.Shutdown.HostShutdownTimeout);

        builder.Services.AddGatewayReverseProxy();
        builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, Upstreams.UpstreamHttpClientFactory>();

        if (snapshot.Options.DemoBackend is { Url.Length: > 0 } demo)
        {
            builder.Services.AddHostedService(sp => new DemoBackendService(demo.Url, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DemoBackendService>>()));
        }

        var app = builder.Build();
        var tlsLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MtlsGateway.Tls");
        foreach (var exposure in loaded.KeyFileExposures)
        {
            tlsLogger.KeyFileReadable(exposure.KeyFile, exposure.ConfigPath, exposure.Mode);
        }

        if (snapshot.Options.Limits.ReleaseTlsBuffers && snapshot.Listeners.Any(l => l.IsTls) && !app.Services.GetRequiredService<OpenSslBufferRelease>().IsAvailable)
        {
            tlsLogger.TlsBufferReleaseUnavailable(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        }

        if (SingleCpuWarmup.IsSlow())
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MtlsGateway.Hosting").SingleCpuSlowWarmup(SingleCpuWarmup.Variable);
        }

        // Listening from the start, so that /metrics counts what happens before its first scrape.
        app.Services.GetRequiredService<PrometheusExporter>();
        var reloadService = app.Services.GetRequiredService<ConfigReloadService>();
        _ = app.Services.GetRequiredService<ConfigurationGauges>(); // its gauges exist from the start, read at each scrape
        reloadService.Reloaded += app.Services.GetRequiredService<GatewayMetrics>().ConfigReloaded;
        reloadService.WatchFailed += app.Services.GetRequiredService<GatewayMetrics>().ConfigWatchFailed;
        app.Services.GetRequiredService<FetchedCrls>().Fetched += app.Services.GetRequiredService<GatewayMetrics>().CrlFetched;
        app.Services.GetRequiredService<FetchedCrls>().Ocsp.Answered += app.Services.GetRequiredService<GatewayMetrics>().OcspRequested;
        // WebApplication puts UseAuthorization in front of this pipeline whenever authorization services exist (YARP
        // registers them). There, ahead of routing, it has no endpoint to authorize and only costs every request an
        // async hop: policies are PolicyEnforcementMiddleware's. The key is the one UseAuthorization sets. Should an
        // endpoint ever carry authorization metadata, EndpointMiddleware refuses it with a 500 rather than run it unchecked.
        ((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
        app.MapWhen(context => context.Features.Get<GatewayConnection>()?.ListenerName == BoundListeners.AdminName,
            admin => admin.Run(AdminEndpoints.HandleAsync));
        app.UseMiddleware<RequestTelemetryMiddleware>();
        app.UseRouting();
        app.UseMiddleware<PolicyEnforcementMiddleware>();
        // After admission (a limit partitions by the identity it established), before YARP forwards.
        app.UseGatewayRateLimits();
        app.UseRequestTimeouts();
        app.MapReverseProxy(proxy => proxy.UseMiddleware<BackendErrorMiddleware>());

        var lifetime = app.Lifetime;
        lifetime.ApplicationStarted.Register(() =>
        {
            state.ListenersReady = true;
            var configLogger = app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("MtlsGateway.Configuration");
            configLogger.ConfigLoaded(snapshot.Version, configPath, snapshot.Hash);
            TrustStoreWarnings.Log(configLogger, snapshot.TrustStores.Values, time.GetUtcNow());
        });
        lifetime.ApplicationStopping.Register(() => state.ListenersReady = false);
        return app;
    }
}
