using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Writes <c>RequestCompleted</c> (event 5004, category <c>MtlsGateway.Requests</c>) straight as a Serilog event. It is
/// the one event on the path of every admitted request, and Microsoft.Extensions.Logging's bridge (state enumeration,
/// template lookup, a new EventId structure per event) cost more than the event itself. Same category, level,
/// template and fields as before: Serilog's level overrides and filters on the category apply unchanged.
/// </summary>
public sealed class RequestLog
{
    public const string Category = "MtlsGateway.Requests";

    // DurationMs is rounded here rather than formatted in the template: a format specifier makes CLEF carry a
    // rendering (@r) of it on every line.
    private static readonly MessageTemplate Template =
        new MessageTemplateParser().Parse("{Method} {Path} {Status} {DurationMs} ms route {Route} policy {Policy} cert {CertSha256}");

    private static readonly StructureValue EventId = new(
        [new LogEventProperty("Id", new ScalarValue(5004)), new LogEventProperty("Name", new ScalarValue("RequestCompleted"))]);

    // The event's eleven properties plus SourceContext and room for what configured enrichers add, so that the
    // dictionary is allocated once at its final size.
    private const int PropertyCapacity = 16;

    private readonly Serilog.ILogger _logger;
    private readonly TimeProvider _time;

    public RequestLog(Serilog.ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _logger = logger.ForContext(Constants.SourceContextPropertyName, Category);
        _time = time;
    }

    public bool IsEnabled => _logger.IsEnabled(LogEventLevel.Information);

    // UnstableAssembleFromParts takes the property dictionary as built (the public constructor copies a sequence of
    // LogEventProperty into a dictionary grown on the way); Serilog.Extensions.Logging uses it the same way.
    // "Unstable": its parameters may change with a major Serilog version, which would then fail this build, not the log.
    public void Completed(
        string method, string path, int status, TimeSpan elapsed, string route, string policy, string? partner, string? certSha256, string? remoteIp, string traceId) =>
        _logger.Write(LogEvent.UnstableAssembleFromParts(_time.GetLocalNow(), LogEventLevel.Information, exception: null, Template,
            new Dictionary<string, LogEventPropertyValue>(PropertyCapacity)
            {
                ["Method"] = new ScalarValue(method),
                ["Path"] = new ScalarValue(path),
                ["Status"] = new ScalarValue(status),
                ["DurationMs"] = new ScalarValue(Math.Round(elapsed.TotalMilliseconds, 2)),
                ["Route"] = new ScalarValue(route),
                ["Policy"] = new ScalarValue(policy),
                ["Partner"] = new ScalarValue(partner),
                ["CertSha256"] = new ScalarValue(certSha256),
                ["RemoteIp"] = new ScalarValue(remoteIp),
                ["TraceId"] = new ScalarValue(traceId),
                ["EventId"] = EventId,
            },
            traceId: default,
            spanId: default));
}
