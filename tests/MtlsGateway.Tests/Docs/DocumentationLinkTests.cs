using System.Text.RegularExpressions;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// README.md and docs/ are what a user who clones the repository reads: every relative link in them must resolve to a
/// file or folder inside the repository (a link to the steering repository's design notes, or to a moved doc, would be
/// a dead link for every reader).
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryRelativeLink_ResolvesInsideTheRepository(string document)
    {
        var path = RepositoryPaths.Combine(document);
        var folder = Path.GetDirectoryName(path)!;
        var problems = new List<string>();
        foreach (Match link in MarkdownLink().Matches(File.ReadAllText(path)))
        {
            var target = link.Groups["target"].Value;
            if (target.StartsWith('#') || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var file = Uri.UnescapeDataString(target.Split('#')[0]);
            var resolved = Path.GetFullPath(Path.Combine(folder, file));
            if (!resolved.StartsWith(RepositoryPaths.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                problems.Add($"{target}: outside the repository");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add($"{target}: no such file");
            }
        }

        problems.Should().BeEmpty($"{document} links only to files in the repository");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void NoDocument_CitesNotesOutsideTheRepository(string document) =>
        File.ReadAllText(RepositoryPaths.Combine(document)).Should().NotContainAny(["NOTES.md", "shared/design"], "a user's clone has no design notes");

    // [text](target) and ![alt](target), the target up to whitespace or ')'.
    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();
}
