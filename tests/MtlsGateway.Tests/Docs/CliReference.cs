using System.CommandLine;
using System.Globalization;
using System.Text;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// docs/cli.md as the command definitions say it: every command, its description, options (aliases, whether
/// required, default) — rendered from <see cref="MtlsGateway.Cli.GatewayCommandLine.Create"/> so the reference
/// cannot drift from the program. The hand-written parts (exit codes, completion) are the template's.
/// </summary>
internal static class CliReference
{
    public static string Render(RootCommand root)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            # Command line reference

            <!-- Generated from the command definitions by tests/MtlsGateway.Tests/Docs/CliReferenceTests.cs: edit the
                 commands (src/MtlsGateway/Cli/), then regenerate with `MTLSGW_UPDATE_DOCS=1 dotnet test --filter CliReferenceTests`. -->

            {root.Description}

            `mtls-gateway [command] [options]`; without a command it runs the gateway (`run`).

            | exit code | meaning |
            | --- | --- |
            | 0 | success: the gateway stopped cleanly, the configuration is valid, the certificate is admitted, the gateway is ready |
            | 1 | `run`: invalid configuration or a port in use; `validate`: invalid; `check`: refused; `health`: not ready or no answer |
            | 2 | usage error, for every command: an unknown command or option, a missing or malformed value (the errors and a pointer to `--help` go to stderr); also `check` with an invalid configuration and `health` with a URL that is not http |

            Every command takes `--help` (`-h`, `-?`); `--version` prints the version.

            """);

        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## `{command.Name}`\n\n{command.Description}\n\n");
            text.Append(CultureInfo.InvariantCulture, $"`mtls-gateway {command.Name}{Usage(command)}`\n");
            var options = command.Options.Where(o => !o.Hidden && o.Name != "--help").ToList();
            if (options.Count > 0)
            {
                text.Append("\n| option | required | default | what |\n| --- | --- | --- | --- |\n");
                foreach (var option in options)
                {
                    var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)).Select(n => $"`{n}`"));
                    var fallback = option.HasDefaultValue ? $"`{option.GetDefaultValue()}`" : string.Empty;
                    text.Append(CultureInfo.InvariantCulture, $"| {names} | {(option.Required ? "yes" : "no")} | {fallback} | {option.Description?.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
                }
            }
        }

        text.Append("""

            ## Shell completion

            The program answers System.CommandLine's `[suggest]` directive
            (`mtls-gateway "[suggest:11]" "check --pol"` prints `--policy`: the number is the cursor position), which the `dotnet-suggest` global tool
            turns into tab completion for bash, zsh and PowerShell:

            ```sh
            dotnet tool install --global dotnet-suggest
            # once per shell profile: the shim script from System.CommandLine's repository
            # (dotnet-suggest-shim.bash / .zsh / .ps1) that calls dotnet-suggest on <TAB>
            dotnet-suggest register --command-path "$(command -v mtls-gateway)"
            ```

            Completion needs the published `mtls-gateway` executable on the PATH (README, "Publish"): with
            `dotnet mtls-gateway.dll` the shell completes `dotnet`, not the gateway. `dotnet-suggest` is not on this
            project's package mirror; install it where your NuGet feed serves it.

            """);
        return text.ToString();
    }

    private static string Usage(Command command)
    {
        var parts = new List<string>();
        foreach (var option in command.Options.Where(o => !o.Hidden && o.Name != "--help"))
        {
            var value = option.ValueType == typeof(bool) ? string.Empty : $" {option.Name.TrimStart('-').ToUpperInvariant()}";
            parts.Add(option.Required ? $"{option.Name}{value}" : $"[{option.Name}{value}]");
        }

        return parts.Count == 0 ? string.Empty : " " + string.Join(' ', parts);
    }
}
