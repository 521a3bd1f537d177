using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace MtlsGateway.Tests.Support;

/// <summary>Collects the gateway's Serilog events, so tests read them the way ops read CLEF: by event name and property.</summary>
internal sealed class LogSink : ILogEventSink, IDisposable
{
    private readonly ConcurrentQueue<LogEvent> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public void Emit(LogEvent logEvent)
    {
        _events.Enqueue(logEvent);
        _arrived.Release();
    }

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public IReadOnlyList<LogEvent> Named(string eventName) =>
        Events.Where(e => EventName(e) == eventName).ToList();

    /// <summary>Waits (bounded) until an event named <paramref name="eventName"/> matching <paramref name="predicate"/> arrives.</summary>
    public async Task<LogEvent> WaitForAsync(string eventName, Func<LogEvent, bool>? predicate = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var match = Named(eventName).FirstOrDefault(e => predicate?.Invoke(e) ?? true);
            if (match is not null)
            {
                return match;
            }

            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {eventName} event arrived. Events seen: {string.Join(", ", Events.Select(EventName))}");
            }
        }
    }

    public void Dispose() => _arrived.Dispose();

    public static string? EventName(LogEvent e) =>
        e.Properties.TryGetValue("EventId", out var id) && id is StructureValue s
            ? s.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string name } ? name : null
            : null;

    public static string? Property(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) ? value is ScalarValue { Value: var v } ? v?.ToString() : value.ToString() : null;
}
