using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Serilog's logger factory with Kestrel's TLS category trimmed in front of it: that category passes on only the
/// handshake failures <see cref="KestrelTlsFailureCapture"/> takes and events at Warning or above. The capture needs
/// the category at Debug, where Kestrel also logs <c>HttpsConnectionEstablished</c> (event 3) for every handshake that
/// succeeds; turned into a Serilog event only for the capture to drop it, that cost ~0.35 % of a handshake's CPU.
/// </summary>
internal sealed class KestrelTlsLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == KestrelTlsFailureCapture.Category ? new FailuresOnlyLogger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The container created only this wrapper: disposing Serilog's factory is what flushes the sinks.
    public void Dispose() => inner.Dispose();

    private sealed class FailuresOnlyLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning || KestrelTlsFailureCapture.IsFailure(eventId.Id))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
