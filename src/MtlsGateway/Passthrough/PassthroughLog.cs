using Microsoft.Extensions.Logging;

namespace MtlsGateway.Passthrough;

/// <summary>Passthrough events (4xxx). Property names are documented in docs/passthrough.md.</summary>
#pragma warning disable SYSLIB1015 // properties beyond the message text are intended
#pragma warning disable IDE1006 // parameter names are the contract's PascalCase field names
internal static partial class PassthroughLog
{
    [LoggerMessage(EventId = 4001, EventName = "PassthroughOpened", Level = LogLevel.Information,
        Message = "Passthrough {Entry}: {RemoteIp} (SNI {Sni}) relayed to {Destination}")]
    public static partial void PassthroughOpened(this ILogger logger, string Entry, string? Sni, string? Alpn, string Destination,
        string? RemoteIp, int RemotePort, string Listener, string ConnectionId);

    /// <summary><c>BytesFromClient</c> went client → destination, <c>BytesToClient</c> destination → client;
    /// <c>Duration</c> is in seconds.</summary>
    [LoggerMessage(EventId = 4002, EventName = "PassthroughClosed", Level = LogLevel.Information,
        Message = "Passthrough {Entry}: {RemoteIp} (SNI {Sni}) to {Destination} closed ({Outcome}) after {Duration:0.###} s, {BytesFromClient} bytes up, {BytesToClient} bytes down")]
    public static partial void PassthroughClosed(this ILogger logger, string Entry, string? Sni, string Destination, string? RemoteIp,
        int RemotePort, long BytesFromClient, long BytesToClient, double Duration, PassthroughOutcome Outcome, string? Error,
        string Listener, string ConnectionId);

    [LoggerMessage(EventId = 4003, EventName = "PassthroughDestinationFailed", Level = LogLevel.Warning,
        Message = "Passthrough {Entry}: destination {Destination} failed ({Error}), attempt {Attempt} of {Attempts} for SNI {Sni}")]
    public static partial void PassthroughDestinationFailed(this ILogger logger, string Entry, string? Sni, string Destination,
        string Error, int Attempt, int Attempts);

    [LoggerMessage(EventId = 4004, EventName = "PassthroughUnavailable", Level = LogLevel.Error,
        Message = "Passthrough {Entry}: no destination of {Destinations} accepted the connection from {RemoteIp} (SNI {Sni}); it is closed. Check that the destinations listen, or raise ConnectTimeout")]
    public static partial void PassthroughUnavailable(this ILogger logger, string Entry, string? Sni, string Destinations,
        string? RemoteIp, int RemotePort, string Listener, string ConnectionId);
}
#pragma warning restore IDE1006
#pragma warning restore SYSLIB1015
