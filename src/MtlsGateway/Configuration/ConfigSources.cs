using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace MtlsGateway.Configuration;

/// <summary>
/// Says where an erroneous value came from: the file's line and column, or the environment variable that set it
/// (environment variables override the file, so the file is not to blame then).
/// </summary>
internal static class ConfigSources
{
    public static IReadOnlyList<ConfigError> Annotate(IConfiguration configuration, ConfigFileMap? map, IReadOnlyList<ConfigError> errors)
    {
        if (configuration is not IConfigurationRoot root || errors.Count == 0)
        {
            return errors;
        }

        return errors.Select(e => Describe(root, map, e.Path) is { } source ? e with { Message = $"{e.Message} ({source})" } : e).ToList();
    }

    private static string? Describe(IConfigurationRoot root, ConfigFileMap? map, string path)
    {
        // The last provider that has the key is the one whose value is in force.
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(path, out _))
            {
                continue;
            }

            return provider switch
            {
                EnvironmentVariablesConfigurationProvider => $"set by environment variable {EnvironmentName(path)}",
                JsonStreamConfigurationProvider => map?.Describe(path),
                _ => null,
            };
        }

        return null;
    }

    /// <summary>The variable as it is spelt in the environment (keys ignore case; '__' stands for ':').</summary>
    private static string EnvironmentName(string path)
    {
        var name = path.Replace(":", "__", StringComparison.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return name;
    }
}
