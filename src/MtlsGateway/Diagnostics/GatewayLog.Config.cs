using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 3010, EventName = "ConfigReloaded", Level = LogLevel.Information,
        Message = "Configuration version {Version} applied without restart (hash {Hash}, was {PreviousHash})")]
    public static partial void ConfigReloaded(this ILogger logger, long version, string hash, string previousHash);

    [LoggerMessage(EventId = 3011, EventName = "ConfigReloadFailed", Level = LogLevel.Error,
        Message = "Configuration change refused ({ErrorCount} error(s)); version {Version} stays in force: {Errors}")]
    public static partial void ConfigReloadFailed(this ILogger logger, int errorCount, long version, IReadOnlyList<string> errors);

    [LoggerMessage(EventId = 3012, EventName = "ListenerChangeNeedsRestart", Level = LogLevel.Warning,
        Message = "Gateway:Listeners or Gateway:Admin changed; listeners are bound at start, so the change takes effect at the next restart")]
    public static partial void ListenerChangeNeedsRestart(this ILogger logger);

    [LoggerMessage(EventId = 3013, EventName = "ConfigWatchFailed", Level = LogLevel.Error,
        Message = "The configuration watcher cannot look at the files: {Reason}; changes are not applied and /readyz answers 503 until it can")]
    public static partial void ConfigWatchFailed(this ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 3014, EventName = "ConfigWatchRecovered", Level = LogLevel.Information,
        Message = "The configuration watcher looks at the files again (failing since {Since})")]
    public static partial void ConfigWatchRecovered(this ILogger logger, DateTimeOffset since);

    [LoggerMessage(EventId = 3015, EventName = "ConfigLookRequested", Level = LogLevel.Information,
        Message = "SIGHUP: looking at the configuration and every file it names now")]
    public static partial void ConfigLookRequested(this ILogger logger);
}
