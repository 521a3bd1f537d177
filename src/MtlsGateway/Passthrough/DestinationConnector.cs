using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Passthrough;

/// <summary>
/// Connects to one of an entry's destinations: each connection starts at the next destination in turn
/// (round-robin, so load spreads) and fails over to the following ones when a connect is refused or takes longer
/// than the connect timeout. Each failed attempt is logged, so a dead destination shows even when failover hides it.
/// </summary>
public sealed class DestinationConnector(TimeProvider time, ILogger<DestinationConnector> logger)
{
    // Keyed by entry name, so the rotation carries over a configuration reload.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _next = new(StringComparer.Ordinal);

    /// <summary>A connected socket and the destination it reached, or null when none accepted.</summary>
    public async Task<(Socket Socket, string Destination)?> ConnectAsync(PassthroughRoute route, TimeSpan connectTimeout, string? sni)
    {
        ArgumentNullException.ThrowIfNull(route);
        var destinations = route.Destinations;
        var turn = _next.GetOrAdd(route.Name, static _ => new StrongBox<int>(-1));
        var start = (int)((uint)Interlocked.Increment(ref turn.Value) % (uint)destinations.Count);
        for (var attempt = 0; attempt < destinations.Count; attempt++)
        {
            var destination = destinations[(start + attempt) % destinations.Count];
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = new CancellationTokenSource(connectTimeout, time);
            try
            {
                var (host, port) = Split(destination);
                await socket.ConnectAsync(host, port, timeout.Token);
                return (socket, destination);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                var error = ex is SocketException socketError
                    ? socketError.SocketErrorCode.ToString()
                    : $"no answer within {connectTimeout.TotalSeconds:0.###} s";
                logger.PassthroughDestinationFailed(route.Name, sni, destination, error, attempt + 1, destinations.Count);
            }
        }

        return null;
    }

    /// <summary><c>host:port</c> or <c>[v6]:port</c>, as validated by the configuration loader.</summary>
    private static (string Host, int Port) Split(string destination)
    {
        var colon = destination.LastIndexOf(':');
        return (destination[..colon].Trim('[', ']'), int.Parse(destination.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }
}
