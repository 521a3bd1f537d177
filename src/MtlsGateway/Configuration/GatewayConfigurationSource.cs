using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// Builds the configuration every command reads: the JSON file, then environment variables
/// (<c>Gateway__Listeners__public__Url</c>), then any in-memory overrides (tests).
/// </summary>
public static class GatewayConfigurationSource
{
    public const string DefaultPath = "config/gateway.json";

    /// <summary>Adds the config file's content (<paramref name="json"/>), the environment and <paramref name="overrides"/>.</summary>
    public static void AddGatewaySources(this IConfigurationBuilder builder, byte[] json, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // From bytes read through SafeFile, not AddJsonFile: its file provider would open a FIFO and wait for a
        // writer forever, or read /dev/zero until memory runs out.
        builder.AddJsonStream(new MemoryStream(json, writable: false));
        builder.AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }
    }

    /// <summary>Reads the configuration, turning an unreadable or malformed file into one <see cref="ConfigError"/>.</summary>
    public static IConfigurationRoot? TryBuild(string configPath, IReadOnlyDictionary<string, string?>? overrides, out ConfigError? error) =>
        TryBuild(configPath, overrides, out error, out _);

    /// <summary>As above; also where each key sits in the file, for errors to say so.</summary>
    internal static IConfigurationRoot? TryBuild(string configPath, IReadOnlyDictionary<string, string?>? overrides, out ConfigError? error, out ConfigFileMap? map)
    {
        error = null;
        map = null;
        var full = Path.GetFullPath(configPath);
        if (!File.Exists(full))
        {
            error = new ConfigError(configPath, Directory.Exists(full)
                ? "is a folder, not the configuration file; pass --config PATH of the JSON file"
                : $"configuration file does not exist (resolved to '{full}'); pass --config PATH");
            return null;
        }

        if (!SafeFile.TryRead(full, FileLimit.Config, out var json, out var readError))
        {
            error = new ConfigError(configPath, $"configuration file {readError} (resolved to '{full}')");
            return null;
        }

        // First on our own reader: a syntax error gets its line and column, a key written twice is named as such.
        map = ConfigFileMap.Read(json, configPath, out error);
        if (map is null)
        {
            return null;
        }

        try
        {
            var builder = new ConfigurationBuilder();
            builder.AddGatewaySources(json, overrides);
            return builder.Build();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidDataException)
        {
            error = new ConfigError(configPath, $"is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
            return null;
        }
    }
}
