using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// Builds the configuration every command reads: the JSON file, then environment variables
/// (<c>Gateway__Listeners__public__Url</c>), then any in-memory overrides (tests).
/// </summary>
public static class GatewayConfigurationSource
{
    public const string DefaultPath = "config/gateway.json";

    public static void AddGatewaySources(this IConfigurationBuilder builder, string configPath, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJsonFile(configPath, optional: false, reloadOnChange: false);
        builder.AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }
    }

    /// <summary>Reads the configuration, turning an unreadable or malformed file into one <see cref="ConfigError"/>.</summary>
    public static IConfigurationRoot? TryBuild(string configPath, IReadOnlyDictionary<string, string?>? overrides, out ConfigError? error)
    {
        error = null;
        var full = Path.GetFullPath(configPath);
        if (!File.Exists(full))
        {
            error = new ConfigError(configPath, $"configuration file does not exist (resolved to '{full}'); pass --config PATH");
            return null;
        }

        try
        {
            var builder = new ConfigurationBuilder();
            builder.AddGatewaySources(full, overrides);
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            error = new ConfigError(configPath, $"is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
            return null;
        }
        catch (IOException ex)
        {
            error = new ConfigError(configPath, $"cannot be read: {ex.Message}");
            return null;
        }
    }
}
