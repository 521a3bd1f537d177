using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Catches the reason Kestrel hides. Its <c>HttpsConnectionMiddleware</c> swallows every handshake failure and
/// only logs it at Debug (NOTES Q1): event 1 <c>AuthenticationFailed</c> with the exception, event 2
/// <c>AuthenticationTimedOut</c>, inside a scope carrying the <c>ConnectionId</c>. The gateway logs through
/// Serilog, whose logger factory replaces Microsoft.Extensions.Logging's (extra <c>ILoggerProvider</c>s never see an
/// event), so this is a Serilog filter: the pipeline lets that category through at Debug, the filter keeps the
/// failure per connection for <see cref="Take"/> and drops the category's sub-Warning events, so no sink sees
/// them — the gateway's own <c>HandshakeFailed</c> replaces them. One instance per application.
/// </summary>
public sealed class KestrelTlsFailureCapture : ILogEventFilter
{
    public const string Category = "Microsoft.AspNetCore.Server.Kestrel.Https.Internal.HttpsConnectionMiddleware";

    // A failure is taken by the listener middleware as soon as Kestrel's TLS layer returns; the cap only guards
    // against a connection that never comes back for its entry.
    private const int MaxPending = 10_000;

    private const int AuthenticationFailed = 1;
    private const int AuthenticationTimedOut = 2;

    private readonly ConcurrentDictionary<string, CapturedTlsFailure> _pending = new(StringComparer.Ordinal);

    /// <summary>Whether Kestrel's event <paramref name="eventId"/> in <see cref="Category"/> is a handshake failure.</summary>
    public static bool IsFailure(int eventId) => eventId is AuthenticationFailed or AuthenticationTimedOut;

    public bool IsEnabled(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (!logEvent.Properties.TryGetValue("SourceContext", out var source) || source is not ScalarValue { Value: Category })
        {
            return true;
        }

        if (logEvent.Level >= LogEventLevel.Warning)
        {
            return true;
        }

        if (ConnectionId(logEvent) is { } connectionId && EventId(logEvent) is { } id && IsFailure(id) && _pending.Count < MaxPending)
        {
            _pending[connectionId] = id == AuthenticationTimedOut
                ? new CapturedTlsFailure(true, null, null, null)
                : CapturedTlsFailure.From(logEvent.Exception);
        }

        return false;
    }

    /// <summary>The failure Kestrel logged for <paramref name="connectionId"/>, removed from the table; null if none.</summary>
    public CapturedTlsFailure? Take(string connectionId) =>
        _pending.TryRemove(connectionId, out var failure) ? failure : null;

    private static string? ConnectionId(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("ConnectionId", out var value) && value is ScalarValue { Value: string id } ? id : null;

    private static int? EventId(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue structure
            && structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int id }
            ? id
            : null;
}
