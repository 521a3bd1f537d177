using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Connections.ProxyProtocol;
using MtlsGateway.Diagnostics;
using MtlsGateway.Passthrough;
using MtlsGateway.Runtime;
using MtlsGateway.Tls;

namespace MtlsGateway.Hosting;

/// <summary>Binds Kestrel to the configured listeners, each with the connection's path in order: the connection limit,
/// the PROXY header, the ClientHello peek; on TLS listeners then passthrough by SNI, the handshake outcome around
/// Kestrel's TLS layer (with the per-SNI handshake handler), and the completed session's middleware.</summary>
internal static class ListenerServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayListeners(this IServiceCollection services, GatewaySnapshot snapshot)
    {
        services.TryAddSingleton<ProxyProtocolMetrics>();
        services.TryAddSingleton<ConnectionMetrics>();
        services.TryAddSingleton<OpenSslBufferRelease>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            KestrelLimits.Apply(kestrel.Limits, snapshot.Options.Limits);
            var bound = sp.GetRequiredService<BoundListeners>();
            foreach (var listener in snapshot.Listeners)
            {
                Listen(kestrel, listener, listener.Name, sp, bound);
            }

            if (snapshot.Admin is { } admin)
            {
                Listen(kestrel, admin, BoundListeners.AdminName, sp, bound);
            }
        }));
        return services;
    }

    private static void Listen(KestrelServerOptions kestrel, ListenerEndpoint listener, string name, IServiceProvider services, BoundListeners bound)
    {
        var state = services.GetRequiredService<GatewayState>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MtlsGateway.Tls");
        var named = listener with { Name = name };
        kestrel.Listen(listener.EndPoint, options =>
        {
            bound.Add(name, options);
            options.Protocols = listener.IsTls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
            if (name != BoundListeners.AdminName)
            {
                // Before everything else: a connection over the limit costs no TLS or PROXY protocol work.
                var gate = CreateGate(name, services);
                options.Use(next => new ConnectionLimitMiddleware(next, gate).OnConnectionAsync);
            }

            if (named.ProxyProtocol is { } proxyProtocol)
            {
                // First of all: the client address the header carries must be in place before anything reads it.
                options.Use(next => new ProxyProtocolMiddleware(next, named, proxyProtocol, time,
                    services.GetRequiredService<ILoggerFactory>().CreateLogger("MtlsGateway.ProxyProtocol"),
                    services.GetRequiredService<ProxyProtocolMetrics>()).OnConnectionAsync);
            }

            var reporter = services.GetRequiredService<RefusalReporter>();
            options.Use(next => new ListenerConnectionMiddleware(next, named, state, time, logger, reporter).OnConnectionAsync);
            if (!listener.IsTls)
            {
                return;
            }

            // By the SNI just peeked: passthrough hosts leave here, the others go through Kestrel's TLS layer.
            options.Use(next => new PassthroughMiddleware(next, services.GetRequiredService<PassthroughProxy>()).OnConnectionAsync);
            options.Use(next => new HandshakeOutcomeMiddleware(next, named, time, logger, reporter).OnConnectionAsync);

            var handshake = services.GetRequiredService<TlsHandshakeHandler>();
            options.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = handshake.OnConnectionAsync,
                HandshakeTimeout = listener.HandshakeTimeout,
            });
            // Read at start like every limit: the mode also sticks to OpenSSL's shared contexts.
            var bufferRelease = state.Current.Options.Limits.ReleaseTlsBuffers ? services.GetRequiredService<OpenSslBufferRelease>() : null;
            options.Use(next => new HandshakeAndCloseNotifyMiddleware(next, bufferRelease).OnConnectionAsync);
        });
    }

    private static ConnectionGate CreateGate(string listener, IServiceProvider services)
    {
        var options = services.GetRequiredService<GatewayState>().Current.Options;
        var interval = options.Logging.RefusalSummaryInterval > TimeSpan.Zero
            ? options.Logging.RefusalSummaryInterval
            : GatewayLoggingOptions.DefaultRefusalSummaryInterval;
        var metrics = services.GetRequiredService<ConnectionMetrics>();
        var gate = new ConnectionGate(listener, options.Limits.MaxConcurrentConnections, interval, services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("MtlsGateway.Hosting.ConnectionLimit"), metrics);
        metrics.Track(gate);
        return gate;
    }
}
