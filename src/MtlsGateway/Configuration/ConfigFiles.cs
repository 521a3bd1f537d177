namespace MtlsGateway.Configuration;

/// <summary>Resolves the file paths the configuration names (relative to the config file's folder).</summary>
public static class ConfigFiles
{
    public static string Resolve(string baseDirectory, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));

    /// <summary>Resolves <paramref name="path"/> and checks that it is an existing file; else reports why.</summary>
    public static string? RequireFile(string baseDirectory, string? path, string configPath, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add(new ConfigError(configPath, "is missing; name a PEM file (relative to the config file's folder, or absolute)"));
            return null;
        }

        var full = Resolve(baseDirectory, path);
        if (!File.Exists(full))
        {
            errors.Add(new ConfigError(configPath, Directory.Exists(full)
                ? $"'{path}' is a folder, not a file"
                : $"file '{path}' does not exist (resolved to '{full}')"));
            return null;
        }

        return full;
    }
}
