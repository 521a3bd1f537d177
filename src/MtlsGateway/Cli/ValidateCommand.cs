using MtlsGateway.Configuration;

namespace MtlsGateway.Cli;

/// <summary><c>validate</c>: loads the configuration exactly as <c>run</c> would and prints every error.</summary>
public static class ValidateCommand
{
    public static int Execute(string configPath, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = Load(configPath, TimeProvider.System);
        if (result.IsValid)
        {
            var snapshot = result.Snapshot!;
            output.WriteLine($"{configPath}: valid ({snapshot.Listeners.Count} listener(s), {snapshot.Policies.Count} policy(ies), {snapshot.Routes.Count} route(s), hash {snapshot.Hash[..12]})");
            return GatewayCommandLine.Ok;
        }

        PrintErrors(configPath, result.Errors, output);
        return GatewayCommandLine.Refused;
    }

    /// <summary>Reads and validates the configuration file (and the environment's overrides).</summary>
    public static ConfigLoadResult Load(string configPath, TimeProvider time)
    {
        var configuration = GatewayConfigurationSource.TryBuild(configPath, overrides: null, out var error);
        if (configuration is null)
        {
            return new ConfigLoadResult(null, [error!]);
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        return GatewayConfigLoader.Load(configuration, baseDirectory, version: 1, time);
    }

    public static void PrintErrors(string configPath, IReadOnlyList<ConfigError> errors, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{configPath}: {errors.Count} error(s)");
        foreach (var error in errors)
        {
            output.WriteLine($"  {error}");
        }
    }
}
