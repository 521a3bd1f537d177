using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace MtlsGateway.Passthrough;

/// <summary>
/// The relays open now. When the host begins to stop, each gets its entry's drain deadline: it may finish on its
/// own until then and is closed at the deadline (outcome <see cref="PassthroughOutcome.Shutdown"/>), so shutdown is
/// bounded even with long-lived tunnels, and the gateway says which connections it cut.
/// </summary>
public sealed class PassthroughRelayRegistry : IDisposable
{
    private readonly ConcurrentDictionary<TcpRelay, TimeSpan> _live = new();
    private readonly CancellationTokenRegistration _stopping;
    private volatile bool _draining;

    public PassthroughRelayRegistry(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        _stopping = lifetime.ApplicationStopping.Register(BeginDrain);
    }

    public int Count => _live.Count;

    public void Add(TcpRelay relay, TimeSpan drainTimeout)
    {
        ArgumentNullException.ThrowIfNull(relay);
        _live[relay] = drainTimeout;
        // Checked after the add: either this sees the flag or BeginDrain sees the relay (Drain is idempotent).
        if (_draining)
        {
            relay.Drain(drainTimeout);
        }
    }

    public void Remove(TcpRelay relay) => _live.TryRemove(relay, out _);

    private void BeginDrain()
    {
        _draining = true;
        foreach (var (relay, drainTimeout) in _live)
        {
            relay.Drain(drainTimeout);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
