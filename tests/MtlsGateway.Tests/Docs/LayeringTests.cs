using System.Text.RegularExpressions;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// The folders of <c>src/MtlsGateway</c> depend on each other one way: a folder uses only folders listed before it in
/// the Layers section of docs/architecture.md, the one place the order is written (this test reads it from there).
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class LayeringTests
{
    private static readonly string Source = RepositoryPaths.Combine("src", "MtlsGateway");

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersBeforeItInTheLayers()
    {
        var files = Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Source, path).Replace('\\', '/'))
            .Where(path => path.Contains('/', StringComparison.Ordinal) && !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => new SourceLayering.SourceFile(path, File.ReadAllText(Path.Combine(Source, path))))
            .ToList();

        files.Should().HaveCountGreaterThan(100, "the source files are found");
        string.Join(Environment.NewLine, SourceLayering.Violations(DocumentedLayers(), files)).Should().BeEmpty(
            "each folder may use only the folders before it in docs/architecture.md's Layers; move the type to the layer it belongs to, or change the order there and say why");
    }

    [Fact]
    public void TheLayers_NameEveryFolderOfTheSourceOnce()
    {
        var folders = Directory.EnumerateDirectories(Source)
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(Source, name!), "*.cs", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal);

        var layers = DocumentedLayers();

        layers.Should().OnlyHaveUniqueItems();
        layers.Order(StringComparer.Ordinal).Should().Equal(folders, "docs/architecture.md's Layers place every folder of src/MtlsGateway");
    }

    [Fact]
    public void AUseOfALaterFolder_IsReportedWithTheFileAndTheType()
    {
        var files = new[]
        {
            new SourceLayering.SourceFile("Low/Reader.cs", """
                using MtlsGateway.High;

                namespace MtlsGateway.Low;

                // A comment naming Widget is not a use; nor is "Widget" in a string.
                public sealed class Reader
                {
                    public string? Widget { get; set; }

                    public string Describe(int count) => $"{count} of {High.Widget.Name}";
                }
                """),
            new SourceLayering.SourceFile("Low/Clean.cs", """
                namespace MtlsGateway.Low;

                /// <summary>Widget, Gadget: only in text.</summary>
                public sealed class Clean(Helper helper)
                {
                    public string Widget => "Widget";

                    public Helper Helper { get; } = helper;
                }
                """),
            new SourceLayering.SourceFile("Low/Helper.cs", "namespace MtlsGateway.Low;\n\npublic sealed class Helper;\n"),
            new SourceLayering.SourceFile("High/Widget.cs", """
                namespace MtlsGateway.High;

                public static class Widget
                {
                    public const string Name = "w";

                    public static Low.Helper Use(Low.Helper helper) => helper;
                }
                """),
        };

        var violations = SourceLayering.Violations(["Low", "High"], files);

        violations.Should().BeEquivalentTo(
            "Low/Reader.cs (Low) uses 'using MtlsGateway.High' of High, which comes after it in the Layers",
            "Low/Reader.cs (Low) uses Widget of High, which comes after it in the Layers");
    }

    [Fact]
    public void CodeOnly_KeepsInterpolationHolesAndDropsLiterals()
    {
        var code = SourceLayering.CodeOnly(""""
            var a = $"{string.Join(", ", names)} x {Kind.Value:0.#}"; // Gone
            var b = @"say ""Gone"""; var c = '"'; var d = $$"""{{Raw.Value}} {Gone}""";
            """");

        code.Should().Contain("names").And.Contain("Kind.Value").And.Contain("Raw.Value").And.NotContain("Gone");
    }

    /// <summary>The folders of the Layers section, lowest first: its numbered items <c>N. **`Folder/`**</c>.</summary>
    private static List<string> DocumentedLayers()
    {
        var doc = File.ReadAllText(RepositoryPaths.Combine("docs", "architecture.md"));
        var start = doc.IndexOf("\n## Layers", StringComparison.Ordinal);
        start.Should().BePositive("docs/architecture.md has a Layers section");
        var end = doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? doc[start..] : doc[start..end];
        var layers = LayerItem().Matches(section).Select(m => m.Groups["folder"].Value).ToList();
        layers.Should().NotBeEmpty("the Layers section lists the folders as '1. **`Pki/`** …'");
        return layers;
    }

    [GeneratedRegex(@"^\d+\. \*\*`(?<folder>\w+)/`\*\*", RegexOptions.Multiline)]
    private static partial Regex LayerItem();
}
