using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// docs/cli.md is what the command definitions generate, and the program really answers the completion directive the
/// page documents.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CliReferenceTests
{
    private static readonly string Page = RepositoryPaths.Combine("docs", "cli.md");

    [Fact]
    public void CliReference_IsWhatTheCommandDefinitionsGenerate()
    {
        var generated = CliReference.Render(GatewayCommandLine.Create());
        if (Environment.GetEnvironmentVariable("MTLSGW_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(Page, generated);
        }

        File.ReadAllText(Page).Should().Be(generated,
            "docs/cli.md must match the commands; regenerate it with MTLSGW_UPDATE_DOCS=1 dotnet test --filter CliReferenceTests");
    }

    [Fact]
    public async Task SuggestDirective_CompletesCommandsAndOptions_AsTheReferenceSays()
    {
        var commands = await GatewayCli.RunAsync("[suggest]", "ch");
        var options = await GatewayCli.RunAsync("[suggest:11]", "check --pol");

        commands.ExitCode.Should().Be(0, commands.Output);
        commands.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Should().Equal("check");
        options.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Should().Equal("--policy");
    }
}
