namespace MtlsGateway.Configuration;

/// <summary>The admin listener (health, readiness, metrics, loaded configuration).</summary>
public sealed class AdminOptions
{
    public string? Url { get; set; } = "http://127.0.0.1:9901";
}
