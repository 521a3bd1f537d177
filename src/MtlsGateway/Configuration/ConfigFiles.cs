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

    /// <summary>Reads a PEM file the configuration names through <see cref="SafeFile"/>; else reports why at <paramref name="configPath"/>.</summary>
    public static string? ReadPem(string file, string shown, FileLimit limit, string configPath, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (SafeFile.TryRead(file, limit, out var bytes, out var error))
        {
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        errors.Add(new ConfigError(configPath, $"'{shown}' {error}"));
        return null;
    }

    /// <summary>
    /// The files directly inside <paramref name="folder"/> whose extension is one of <paramref name="extensions"/>,
    /// in ordinal order: the one listing of a CA or CRL folder, shared by the loader and the reload watcher so that
    /// neither ever opens anything else there (a README, or a symlink to <c>/dev/zero</c>). Null when the folder
    /// cannot be listed.
    /// </summary>
    public static List<string>? FolderEntries(string folder, IReadOnlyCollection<string> extensions, out string? error)
    {
        error = null;
        try
        {
            return Directory.EnumerateFiles(folder)
                .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return null;
        }
    }
}
