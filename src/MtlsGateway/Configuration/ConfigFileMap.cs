using System.Text;
using System.Text.Json;

namespace MtlsGateway.Configuration;

/// <summary>
/// Where each configuration key sits in the JSON file (line and column), read once with <see cref="Utf8JsonReader"/>
/// as the configuration's JSON parser reads it (comments, trailing commas). Also what that parser reports badly: a
/// syntax error gets its line and column, a key written twice (keys ignore case) is named as a duplicate.
/// </summary>
internal sealed class ConfigFileMap
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.OrdinalIgnoreCase);

    private ConfigFileMap(string file) => File = Path.GetFileName(file);

    /// <summary>The file's name, as errors show it (the file itself heads the list of errors).</summary>
    public string File { get; }

    /// <summary>The map, or null with the one error that makes the file unreadable as configuration.</summary>
    public static ConfigFileMap? Read(byte[] json, string file, out ConfigError? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        error = null;
        var map = new ConfigFileMap(file);
        var lines = LineStarts(json);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                var position = Position(lines, reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        var parent = path.Peek();
                        var key = parent.Path.Length == 0 ? name : $"{parent.Path}:{name}";
                        if (!parent.Keys.Add(name))
                        {
                            var (line, _) = map._positions[key];
                            error = new ConfigError(key, $"is written twice in {map.File} (line {line} and line {position.Line}); keep one (keys ignore case)");
                            return null;
                        }

                        map._positions[key] = position;
                        parent.Pending = key;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Push(new Frame(path.Count == 0 ? string.Empty : path.Peek().NextPath(map, position), reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.Pop();
                        break;
                    default:
                        if (path.Count > 0)
                        {
                            path.Peek().NextPath(map, position);
                        }

                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            var at = ex.LineNumber is { } line ? $" at line {line + 1}, column {ex.BytePositionInLine + 1}" : string.Empty;
            error = new ConfigError(file, $"is not valid JSON{at}: {FirstSentence(ex.Message)}");
            return null;
        }
        catch (InvalidOperationException ex) when (ex.InnerException is DecoderFallbackException)
        {
            var (line, column) = Position(lines, reader.TokenStartIndex);
            error = new ConfigError(file, $"is not valid JSON at line {line}, column {column}: a key or value is not UTF-8 text");
            return null;
        }

        return map;
    }

    /// <summary>"gateway.json line 12, column 18" for a key the file sets, else null.</summary>
    public string? Describe(string key) =>
        _positions.TryGetValue(key, out var p) ? $"{File} line {p.Line}, column {p.Column}" : null;

    private static List<int> LineStarts(byte[] json)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static (int Line, int Column) Position(List<int> lineStarts, long offset)
    {
        var index = lineStarts.BinarySearch((int)offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, (int)offset - lineStarts[line] + 1);
    }

    // System.Text.Json's message goes on with "Path: $ | LineNumber: 0 | BytePositionInLine: 14.", zero-based and said above.
    private static string FirstSentence(string message) => message.Split(" Path: ", 2)[0].Split(" LineNumber: ", 2)[0].TrimEnd();

    /// <summary>One open object or array: its configuration path and, for an array, the index of its next item.</summary>
    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public HashSet<string> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public string? Pending { get; set; }

        private int _index;

        /// <summary>The path of the value starting now: the pending property's, or the array's next index.</summary>
        public string NextPath(ConfigFileMap map, (int Line, int Column) position)
        {
            if (!isArray)
            {
                var key = Pending ?? Path;
                Pending = null;
                return key;
            }

            var item = Path.Length == 0 ? (_index++).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Path}:{_index++}";
            map._positions[item] = position;
            return item;
        }
    }
}
