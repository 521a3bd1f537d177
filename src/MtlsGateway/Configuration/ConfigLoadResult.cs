namespace MtlsGateway.Configuration;

/// <summary>A snapshot when the configuration is valid, else every error found.</summary>
public sealed record ConfigLoadResult(GatewaySnapshot? Snapshot, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Snapshot is not null && Errors.Count == 0;
}
