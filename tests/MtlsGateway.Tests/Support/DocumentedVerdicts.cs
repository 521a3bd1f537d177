namespace MtlsGateway.Tests.Support;

/// <summary>One row of a differential table in docs/security.md: <c>| `case` | gateway | peer | why |</c>.</summary>
internal sealed record DocumentedVerdict(string Case, string Gateway, string Peer, string Why)
{
    /// <summary>The rows of the table under <paramref name="section"/> (a <c>## </c> heading) of docs/security.md, the
    /// page where the differential tests keep what they observed and why a difference is intended.</summary>
    public static List<DocumentedVerdict> Read(string section)
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine("docs", "security.md"));
        var start = Array.IndexOf(lines, section);
        start.Should().BeGreaterThanOrEqualTo(0, $"docs/security.md needs the section '{section}'");
        return lines.Skip(start + 1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => new DocumentedVerdict(c[1].Trim('`'), c[2], c[3], c.Length > 5 ? c[4] : string.Empty))
            .ToList();
    }
}
