using MtlsGateway.Configuration;
using MtlsGateway.Runtime;

namespace MtlsGateway.Loading;

/// <summary>A snapshot when the configuration is valid, else every error found.</summary>
public sealed record ConfigLoadResult(GatewaySnapshot? Snapshot, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Snapshot is not null && Errors.Count == 0;

    /// <summary>The configuration the snapshot was loaded from (null when the file could not be read).</summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Configuration { get; init; }

    /// <summary>Private key files other users can read: warnings, logged as <c>KeyFileReadable</c> at start and at each reload.</summary>
    public IReadOnlyList<KeyFileExposure> KeyFileExposures { get; init; } = [];
}
