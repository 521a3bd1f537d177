namespace MtlsGateway.Loading;

/// <summary>Where the configuration comes from: the file and the overrides applied on top (tests), so a reload
/// reads it exactly as the start did.</summary>
public sealed record GatewaySource(string ConfigPath, IReadOnlyDictionary<string, string?>? Overrides)
{
    public string BaseDirectory => Path.GetDirectoryName(Path.GetFullPath(ConfigPath))!;
}
