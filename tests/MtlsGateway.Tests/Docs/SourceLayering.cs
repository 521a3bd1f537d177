using System.Text;
using System.Text.RegularExpressions;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// Which folder of <c>src/MtlsGateway</c> uses which, read from the source text (not from the compiled assembly, so
/// that a <c>using</c> nothing needs yet counts too): each file's folder is its first path segment, each type belongs
/// to the folder that declares it at the top of a file, and a file uses a folder when it has a <c>using MtlsGateway.X</c>
/// directive or names one of X's types, bare or qualified (<c>X.Type</c>). Comments and string text do not count;
/// interpolation holes do. A member or variable named like a type (<c>string? TrustStore</c>) is not a use of it.
/// </summary>
internal static partial class SourceLayering
{
    public sealed record SourceFile(string Path, string Text)
    {
        public string Folder => Path.Split('/')[0];
    }

    /// <summary>One line per use of a folder that comes later in <paramref name="order"/> than the user's own.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<string> order, IReadOnlyList<SourceFile> files)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(files);
        var rank = order.Select((folder, i) => (folder, i)).ToDictionary(x => x.folder, x => x.i, StringComparer.Ordinal);
        var code = files.ToDictionary(f => f.Path, f => CodeOnly(f.Text), StringComparer.Ordinal);
        var declaredIn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var type in TopLevelTypes(code[file.Path]))
            {
                declaredIn[type] = file.Folder;
            }
        }

        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!rank.TryGetValue(file.Folder, out var own))
            {
                problems.Add($"{file.Path}: folder {file.Folder} is not in the Layers list");
                continue;
            }

            foreach (var (folder, what) in Uses(code[file.Path], declaredIn))
            {
                if (folder != file.Folder && rank.TryGetValue(folder, out var used) && used > own)
                {
                    problems.Add($"{file.Path} ({file.Folder}) uses {what} of {folder}, which comes after it in the Layers");
                }
            }
        }

        return [.. problems];
    }

    private static IEnumerable<(string Folder, string What)> Uses(string code, Dictionary<string, string> declaredIn)
    {
        foreach (Match directive in UsingDirective().Matches(code))
        {
            yield return (directive.Groups["folder"].Value, $"'using MtlsGateway.{directive.Groups["ns"].Value}'");
        }

        var tokens = Token().Matches(Declarations().Replace(code, " ")).Select(m => m.Value).ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!declaredIn.TryGetValue(tokens[i], out var folder))
            {
                continue;
            }

            var previous = i > 0 ? tokens[i - 1] : string.Empty;
            var next = i + 1 < tokens.Count ? tokens[i + 1] : string.Empty;
            if (previous == ".")
            {
                // Qualified: a use only when the qualifier is the type's own folder (MtlsGateway.X.Type or X.Type);
                // anything else is a member access (snapshot.Passthrough).
                var j = i - 2;
                while (j >= 2 && tokens[j - 1] == "." && IsIdentifier(tokens[j - 2]))
                {
                    j -= 2;
                }

                var first = j >= 0 && tokens[j] == "MtlsGateway" && j + 2 < i ? tokens[j + 2] : j >= 0 ? tokens[j] : string.Empty;
                if (first == folder)
                {
                    yield return (folder, tokens[i]);
                }

                continue;
            }

            if (next is "=" or ":")
            {
                continue; // an initialiser's member or a named argument
            }

            var afterName = IsIdentifier(previous) ? !TypeKeywords.Contains(previous) : previous is "?" or ">" or "]";
            if (afterName && next is not "." and not "<" && !IsIdentifier(next))
            {
                continue; // a member, parameter or variable being declared with the type's name
            }

            yield return (folder, tokens[i]);
        }
    }

    /// <summary>Types declared outside any type (file-scoped namespaces: at brace depth 0).</summary>
    private static IEnumerable<string> TopLevelTypes(string code)
    {
        var outer = new StringBuilder(code.Length);
        var depth = 0;
        foreach (var c in code)
        {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            outer.Append(depth == 0 || c is '{' or '}' ? c : ' ');
        }

        return TypeDeclaration().Matches(outer.ToString()).Select(m => m.Groups["name"].Value);
    }

    /// <summary>The code of a C# file with comments removed and string and character literals blanked, but for the
    /// code in interpolation holes.</summary>
    public static string CodeOnly(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var output = new StringBuilder(source.Length);
        var i = 0;
        Code(source, ref i, output, inHole: false);
        return output.ToString();
    }

    private static void Code(string s, ref int i, StringBuilder output, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && At(s, i + 1) == '/')
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(s, i + 1) == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                output.Append(' ');
            }
            else if (c == '\'')
            {
                i += At(s, i + 1) == '\\' ? 3 : 2;
                while (i < s.Length && s[i] != '\'')
                {
                    i++;
                }

                i++;
                output.Append(" ' ");
            }
            else if (c is '"' or '$' or '@' && StringPrefix(s, i) is { } prefix)
            {
                i += prefix.Length;
                StringLiteral(s, ref i, output, prefix.Dollars, prefix.Verbatim, prefix.Quotes);
            }
            else if (inHole && c == '}' && depth == 0)
            {
                return;
            }
            else
            {
                depth += inHole && c == '{' ? 1 : inHole && c == '}' ? -1 : 0;
                output.Append(c);
                i++;
            }
        }
    }

    private sealed record Prefix(int Length, int Dollars, bool Verbatim, int Quotes);

    private static Prefix? StringPrefix(string s, int start)
    {
        var i = start;
        var dollars = 0;
        var verbatim = false;
        while (At(s, i) is '$' or '@')
        {
            dollars += s[i] == '$' ? 1 : 0;
            verbatim |= s[i] == '@';
            i++;
        }

        if (At(s, i) != '"')
        {
            return null; // @identifier
        }

        var quotes = 0;
        while (At(s, i + quotes) == '"')
        {
            quotes++;
        }

        // "" is an empty literal, not the opening of a raw one.
        quotes = quotes >= 3 ? quotes : 1;
        return new Prefix(i - start + quotes, dollars, verbatim, quotes);
    }

    private static void StringLiteral(string s, ref int i, StringBuilder output, int dollars, bool verbatim, int quotes)
    {
        output.Append(' ');
        var close = new string('"', quotes);
        while (i < s.Length)
        {
            if (quotes == 1 && !verbatim && s[i] == '\\')
            {
                i += 2;
            }
            else if (string.CompareOrdinal(s, i, close, 0, quotes) == 0)
            {
                if (quotes == 1 && verbatim && At(s, i + 1) == '"')
                {
                    i += 2;
                    continue;
                }

                i += quotes;
                break;
            }
            else if (dollars > 0 && s[i] == '{')
            {
                var run = 0;
                while (At(s, i + run) == '{')
                {
                    run++;
                }

                if (quotes == 1 && run >= 2)
                {
                    i += 2; // {{ is a literal brace
                    continue;
                }

                if (run < dollars)
                {
                    i += run;
                    continue;
                }

                i += run;
                output.Append(' ');
                Code(s, ref i, output, inHole: true);
                while (At(s, i) == '}')
                {
                    i++;
                }

                output.Append(' ');
            }
            else
            {
                i++;
            }
        }

        output.Append(' ');
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsIdentifier(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] is '_' or '@');

    // After these the next name is a type, not a member being declared.
    private static readonly HashSet<string> TypeKeywords = new(StringComparer.Ordinal)
    {
        "new", "return", "is", "as", "case", "typeof", "nameof", "in", "out", "ref", "throw", "await", "default",
        "params", "static", "readonly", "const", "public", "private", "internal", "protected", "sealed", "abstract",
        "override", "virtual", "required", "partial", "class", "record", "struct", "interface", "enum", "using", "where",
        "else", "yield", "volatile", "unsafe", "extern", "implicit", "explicit", "operator", "event", "fixed", "scoped",
        "file", "async", "not", "and", "or", "with", "when", "sizeof", "stackalloc",
    };

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?MtlsGateway\.(?<ns>(?<folder>\w+)[\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    // using directives and the namespace line: their names are not uses of types.
    [GeneratedRegex(@"^\s*(?:(?:global\s+)?using\s+[^;(]*;|namespace\s+[\w.]+\s*;)", RegexOptions.Multiline)]
    private static partial Regex Declarations();

    [GeneratedRegex(@"@?[A-Za-z_]\w*|=>|==|!=|<=|>=|\?\?|::|\S")]
    private static partial Regex Token();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record|delegate\s+[\w<>\[\],.? ]+?)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();
}
