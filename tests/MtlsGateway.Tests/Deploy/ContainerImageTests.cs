using MtlsGateway.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// The image definition, checked statically (there is no Docker engine here): a chiseled runtime stage that runs as the
/// non-root app user, runs no shell command, and whose health check (and the compose file's) is the gateway's own
/// <c>health</c> command — which <see cref="Cli.HealthCommandTests"/> runs against real gateways.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ContainerImageTests
{
    private static readonly string[] Dockerfile = File.ReadAllLines(RepositoryPaths.Combine("Dockerfile"));

    private static List<string> RuntimeStage =>
        Instructions().SkipWhile(i => !(i.StartsWith("FROM ", StringComparison.Ordinal) && i.EndsWith(" AS runtime", StringComparison.Ordinal))).ToList();

    [Fact]
    public void RuntimeStage_IsChiseledAspNet10()
    {
        RuntimeStage.Should().NotBeEmpty("the Dockerfile has a stage named runtime");
        RuntimeStage[0].Should().Be("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime");
    }

    [Fact]
    public void RuntimeStage_RunsAsTheAppUserAndNoShell()
    {
        RuntimeStage.Should().Contain("USER $APP_UID");
        RuntimeStage.Should().NotContain(i => i.StartsWith("RUN ", StringComparison.Ordinal), "a chiseled image has no shell to run it");
    }

    [Fact]
    public void RuntimeStage_DoesNotDelayOptimisationTenfoldOnOneCpu()
    {
        // The runtime reads it before Main: only the image can set it (docs/configuration.md, "Runtime environment").
        RuntimeStage.Should().Contain("ENV DOTNET_TC_DelaySingleProcMultiplier=1");
    }

    [Fact]
    public void HealthCheck_IsTheGatewaysHealthCommand()
    {
        RuntimeStage.Should().ContainSingle(i => i.StartsWith("HEALTHCHECK ", StringComparison.Ordinal))
            .Which.Should().Contain("CMD [\"dotnet\", \"mtls-gateway.dll\", \"health\"");
    }

    [Fact]
    public void ComposeHealthCheck_IsTheGatewaysHealthCommand()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(RepositoryPaths.Combine("docker-compose.yml")))
        {
            yaml.Load(reader);
        }

        var gateway = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["gateway"];
        var test = ((YamlSequenceNode)((YamlMappingNode)gateway["healthcheck"])["test"]).Select(n => ((YamlScalarNode)n).Value).ToList();
        test.Should().StartWith(["CMD", "dotnet", "mtls-gateway.dll", "health"]);
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined and comments dropped.</summary>
    private static IEnumerable<string> Instructions()
    {
        var current = string.Empty;
        foreach (var line in Dockerfile.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            current += line.EndsWith('\\') ? line[..^1].TrimEnd() + " " : line;
            if (!line.EndsWith('\\'))
            {
                yield return current;
                current = string.Empty;
            }
        }
    }
}
