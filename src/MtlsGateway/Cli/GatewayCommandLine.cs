using System.CommandLine;
using MtlsGateway.Configuration;

namespace MtlsGateway.Cli;

/// <summary>
/// <c>mtls-gateway</c>: <c>run</c> (the default), <c>validate</c>, <c>check</c>, <c>health</c>, <c>dev-certs</c>.
/// Exit codes: 0 success (admitted, valid); 1 the configuration is invalid or the certificate is refused;
/// 2 usage errors.
/// </summary>
public static class GatewayCommandLine
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int UsageError = 2;

    /// <summary>Parses and runs <paramref name="args"/>. A parse error prints the errors and the usage hint and
    /// exits <see cref="UsageError"/>: System.CommandLine's own exit code for it is 1, which here means "refused".</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var result = Create().Parse(args);
        if (result.Errors.Count == 0)
        {
            return await result.InvokeAsync();
        }

        foreach (var problem in result.Errors)
        {
            await error.WriteLineAsync(problem.Message);
        }

        await error.WriteLineAsync("Run 'mtls-gateway --help' for the commands and their options.");
        return UsageError;
    }

    public static RootCommand Create()
    {
        var root = new RootCommand("MtlsGateway: a reverse proxy that enforces mutual TLS in front of partner APIs.");
        var rootConfig = ConfigOption();
        root.Options.Add(rootConfig);
        root.SetAction((result, token) => RunCommand.ExecuteAsync(result.GetValue(rootConfig)!, token));

        var runConfig = ConfigOption();
        var run = new Command("run", "Run the gateway (the default command).") { runConfig };
        run.SetAction((result, token) => RunCommand.ExecuteAsync(result.GetValue(runConfig)!, token));
        root.Subcommands.Add(run);

        var validateConfig = ConfigOption();
        var validate = new Command("validate", "Check the configuration and every file it names; print each problem with its path. Exit 0 when valid, 1 when not.") { validateConfig };
        validate.SetAction(result => ValidateCommand.Execute(result.GetValue(validateConfig)!, Console.Out));
        root.Subcommands.Add(validate);

        root.Subcommands.Add(CheckCommand.Create(ConfigOption()));
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(DevCertsCommand.Create());
        root.Subcommands.Add(DemoBackendCommand.Create());
        return root;
    }

    public static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = $"The configuration file (default {GatewayConfigurationSource.DefaultPath}).",
        DefaultValueFactory = _ => GatewayConfigurationSource.DefaultPath,
    };
}
