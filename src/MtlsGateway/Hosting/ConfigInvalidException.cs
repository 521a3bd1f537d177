using MtlsGateway.Configuration;

namespace MtlsGateway.Hosting;

/// <summary>The configuration did not validate: start refuses, printing every error (no stack trace).</summary>
public sealed class ConfigInvalidException(IReadOnlyList<ConfigError> errors)
    : Exception($"The configuration is invalid ({errors.Count} error(s)).")
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
