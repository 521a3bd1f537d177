using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MtlsGateway.Connections;

/// <summary>The listeners Kestrel bound, by name, with their actual ports (a configured port 0 is chosen at bind).</summary>
public sealed class BoundListeners
{
    public const string AdminName = "$admin";

    private readonly ConcurrentDictionary<string, ListenOptions> _listeners = new(StringComparer.OrdinalIgnoreCase);

    internal void Add(string name, ListenOptions options) => _listeners[name] = options;

    public IPEndPoint EndPointOf(string name) =>
        _listeners.TryGetValue(name, out var options) && options.IPEndPoint is { } endPoint
            ? endPoint
            : throw new KeyNotFoundException($"No listener named '{name}' is bound.");

    public IEnumerable<string> Names => _listeners.Keys;
}
