using Serilog;

namespace MtlsGateway.Hosting;

/// <summary>How to start a gateway: the config file, and the seams tests use (overrides, time, extra log sinks).</summary>
public sealed record GatewayRunOptions
{
    public required string ConfigPath { get; init; }

    /// <summary>Configuration values that win over the file and the environment.</summary>
    public IReadOnlyDictionary<string, string?>? Overrides { get; init; }

    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Adds to the Serilog configuration read from the <c>Serilog</c> section (e.g. a test sink).</summary>
    public Action<LoggerConfiguration>? ConfigureLogging { get; init; }
}
