namespace MtlsGateway.Configuration;

/// <summary>The admin listener (health, readiness, metrics, loaded configuration).</summary>
public sealed class AdminOptions
{
    public string? Url { get; set; } = "http://127.0.0.1:9901";

    /// <summary>Host names (or IPs) the admin listener answers besides its own address and, on loopback, localhost:
    /// e.g. the Service name Prometheus or a person uses. Anything else gets 421 (DNS rebinding).</summary>
    public List<string> AllowedHosts { get; set; } = [];

    public static void Validate(AdminOptions options, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            if (Admin.AdminHosts.Problem(options.AllowedHosts[i]) is { } problem)
            {
                errors.Add(new ConfigError($"Gateway:Admin:AllowedHosts:{i}", problem));
            }
        }
    }
}
