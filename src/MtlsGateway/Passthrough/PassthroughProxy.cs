using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Connections.ProxyProtocol;
using MtlsGateway.Diagnostics;
using MtlsGateway.Runtime;

namespace MtlsGateway.Passthrough;

/// <summary>
/// Takes over a TLS connection whose SNI is a <c>Gateway:Passthrough</c> host: connects to a destination, relays
/// the raw bytes (the unconsumed ClientHello first) until both sides are done, and logs <c>PassthroughOpened</c> /
/// <c>PassthroughClosed</c>. The gateway never terminates that TLS: the client and its backend see each other's
/// certificates.
/// </summary>
public sealed class PassthroughProxy(
    DestinationConnector connector,
    PassthroughRelayRegistry registry,
    PassthroughMetrics metrics,
    TimeProvider time,
    ILogger<PassthroughProxy> logger)
{
    /// <summary>The passthrough entry of <paramref name="snapshot"/> serving <paramref name="sni"/>, if any.</summary>
    public static PassthroughRoute? FindRoute(GatewaySnapshot snapshot, string? sni)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (sni is null)
        {
            return null;
        }

        foreach (var route in snapshot.Passthrough)
        {
            foreach (var host in route.Hosts)
            {
                if (host.Matches(sni))
                {
                    return route;
                }
            }
        }

        return null;
    }

    public async Task RelayAsync(ConnectionContext context, GatewayConnection connection, PassthroughRoute route, ClientHello hello)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(hello);
        var options = connection.Snapshot.Options.Passthrough.GetValueOrDefault(route.Name) ?? new PassthroughOptions();
        var remote = context.RemoteEndPoint as IPEndPoint;
        var remoteIp = remote?.Address.ToString();
        var remotePort = remote?.Port ?? 0;
        var started = time.GetTimestamp();

        var backend = await connector.ConnectAsync(route, Positive(options.ConnectTimeout, PassthroughOptions.DefaultConnectTimeout), hello.ServerName);
        if (backend is not var (socket, destination))
        {
            logger.PassthroughUnavailable(route.Name, hello.ServerName, string.Join(", ", route.Destinations), remoteIp, remotePort,
                connection.ListenerName, context.ConnectionId);
            metrics.Closed(route.Name, PassthroughOutcome.NoDestination, time.GetElapsedTime(started));
            return;
        }

        if (options.SendProxyProtocol && !await SendProxyHeaderAsync(socket, remote, context, Positive(options.ConnectTimeout, PassthroughOptions.DefaultConnectTimeout)))
        {
            socket.Dispose();
            logger.PassthroughUnavailable(route.Name, hello.ServerName, destination, remoteIp, remotePort, connection.ListenerName, context.ConnectionId);
            metrics.Closed(route.Name, PassthroughOutcome.NoDestination, time.GetElapsedTime(started));
            return;
        }

        using (socket)
        using (var relay = new TcpRelay(context.Transport, context.Features.Get<IConnectionSocketFeature>()?.Socket, socket,
            Positive(options.IdleTimeout, PassthroughOptions.DefaultIdleTimeout), time, metrics, route.Name))
        {
            logger.PassthroughOpened(route.Name, hello.ServerName, hello.ApplicationProtocols, destination, remoteIp, remotePort,
                connection.ListenerName, context.ConnectionId);
            metrics.Opened(route.Name);
            registry.Add(relay, Positive(options.DrainTimeout, PassthroughOptions.DefaultDrainTimeout));
            PassthroughOutcome outcome;
            try
            {
                outcome = await relay.RunAsync();
            }
            finally
            {
                registry.Remove(relay);
            }

            var duration = time.GetElapsedTime(started);
            // Counted before the event, so whoever reads the event finds the counters already updated.
            metrics.Closed(route.Name, outcome, duration);
            var seconds = Math.Round(duration.TotalSeconds, 3);
            logger.PassthroughClosed(route.Name, hello.ServerName, destination, remoteIp, remotePort, relay.BytesFromClient,
                relay.BytesToClient, seconds, outcome, relay.Error, connection.ListenerName, context.ConnectionId);
        }
    }

    /// <summary>Tells the destination who the client is before any of the client's bytes (PROXY protocol v2).</summary>
    private async Task<bool> SendProxyHeaderAsync(Socket backend, IPEndPoint? client, ConnectionContext context, TimeSpan timeout)
    {
        // Not the client's ConnectionClosed: a client that half-closes right after its hello must still be relayed.
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            await backend.SendAsync(ProxyHeaderWriter.V2(client, context.LocalEndPoint as IPEndPoint), SocketFlags.None, deadline.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    // The loader refuses a zero or negative timeout; this keeps the relay safe if one slips through.
    private static TimeSpan Positive(TimeSpan value, TimeSpan fallback) => value > TimeSpan.Zero ? value : fallback;
}
