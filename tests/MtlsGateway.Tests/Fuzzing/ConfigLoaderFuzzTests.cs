using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using MtlsGateway.Configuration;
using MtlsGateway.Loading;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>
/// The configuration is edited by hand and by templating tools. A valid file mutated at random — any value of the
/// <c>Gateway</c> section replaced by a hostile one, keys deleted, added or re-cased, the text itself corrupted — goes
/// through the same path as <c>run</c> (read the file, <see cref="GatewayConfigLoader.Load(Microsoft.Extensions.Configuration.IConfiguration, string, long, TimeProvider)"/>):
/// no exception escapes, the outcome is a snapshot or a list of <see cref="ConfigError"/>s with paths, and it ends.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ConfigLoaderFuzzTests : IDisposable
{
    private const int Runs = 150;

    private static readonly string[] HostileStrings =
    [
        "", " ", "-1", "0", "00:00:00", "-00:00:01", "99999999", "10675199.02:48:05.4775807", "1.00:00:00:00", "abc", "null",
        "../../../../etc/passwd", "/dev/zero", "pki", "pki/server.key", "https://0.0.0.0:99999", "http://[::1]:0", "https://*:0",
        "tcp://x", "*", "*.*", "**", "Strict", "Permissive", "Passthrough", "None", "Online", "Required", "10.0.0.0/33", "spiffe://x/*",
        new string('a', 5000), "\u0000\r\n", "é中\uD83D", "{\"a\":1}", "Default", "Anonymous", "partners", "acme-orders",
    ];

    private readonly ConfigFolder _folder = new();
    private readonly JsonObject _valid;
    private int _case;

    public ConfigLoaderFuzzTests()
    {
        _valid = (JsonObject)JsonNode.Parse(File.ReadAllText(_folder.ConfigPath))!;
    }

    [Fact]
    public void Load_MutatedGatewaySection_ReturnsSnapshotOrErrorsAndNeverThrows()
    {
        var paths = Paths(_valid["Gateway"]!, "Gateway").ToArray();
        var mutation = Gen.Elements(paths).Zip(Replacement(depth: 2)).Zip(Gen.Choose(0, 9));
        FuzzRuns.Within(TimeSpan.FromSeconds(90), Runs, Prop.ForAll(mutation.ListOf().ToArbitrary(), mutations =>
        {
            var config = (JsonObject)_valid.DeepClone();
            foreach (var ((path, replacement), kind) in mutations.Take(4))
            {
                Mutate(config, path, replacement, kind);
            }

            return LoadsCleanly(config.ToJsonString());
        }));
    }

    [Fact]
    public void Load_CorruptedText_ReturnsAnErrorAndNeverThrows()
    {
        var text = Encoding.UTF8.GetBytes(_valid.ToJsonString());
        FuzzRuns.Within(TimeSpan.FromSeconds(60), Runs, Prop.ForAll(Mutations.Of(text).ToArbitrary(), bytes => LoadsCleanly(bytes)));
    }

    [Fact]
    public void Load_KeyFileIsADevice_IsAnErrorNotAnOutOfMemory()
    {
        var config = (JsonObject)_valid.DeepClone();
        config["Gateway"]!["ServerCertificates"]![0]!["KeyFile"] = "/dev/zero";

        var result = Load(config);

        result.IsValid.Should().BeFalse();
        result.Errors.Should().ContainSingle(e => e.Path == "Gateway:ServerCertificates:0:KeyFile" && e.Message.Contains("is a character device, not a regular file"));
    }

    [Fact]
    public void Load_PathWithNulCharacter_IsAnErrorAtItsPath()
    {
        var config = (JsonObject)_valid.DeepClone();
        config["Gateway"]!["TrustStores"]!["partners"]!["CaFiles"]![1] = "pki/partners-\u0000.crt";

        var result = Load(config);

        result.Errors.Should().ContainSingle(e => e.Path == "Gateway:TrustStores:partners:CaFiles:1" && e.Message.Contains("NUL"));
    }

    private ConfigLoadResult Load(JsonObject config)
    {
        var path = Path.Combine(_folder.Path, "regression.json");
        File.WriteAllText(path, config.ToJsonString());
        var configuration = GatewayConfigurationSource.TryBuild(path, null, out var error) ?? throw new InvalidOperationException(error?.ToString());
        return GatewayConfigLoader.Load(configuration, _folder.Path, 1, TimeProvider.System);
    }

    private bool LoadsCleanly(string json) => LoadsCleanly(Encoding.UTF8.GetBytes(json));

    private bool LoadsCleanly(byte[] content)
    {
        var path = Path.Combine(_folder.Path, $"fuzz-{_case++ % 4}.json");
        File.WriteAllBytes(path, content);
        var configuration = GatewayConfigurationSource.TryBuild(path, null, out var readError);
        if (configuration is null)
        {
            readError.Should().NotBeNull("a file that cannot be read is reported as an error");
            return true;
        }

        var result = GatewayConfigLoader.Load(configuration, _folder.Path, 1, TimeProvider.System);
        if (!result.IsValid)
        {
            result.Errors.Should().NotBeEmpty("an invalid configuration says why");
            result.Errors.Should().OnlyContain(e => e.Path.Length > 0 && e.Message.Length > 0);
        }

        return true;
    }

    private static IEnumerable<string[]> Paths(JsonNode node, params string[] prefix)
    {
        yield return prefix;
        var children = node switch
        {
            JsonObject o => o.Select(p => (p.Key, p.Value)),
            JsonArray a => a.Select((v, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), v)),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            if (child is not null)
            {
                foreach (var path in Paths(child, [.. prefix, key]))
                {
                    yield return path;
                }
            }
        }
    }

    private static Gen<JsonNode?> Replacement(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Elements(HostileStrings).Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Elements(0L, -1L, 1L, 65536L, int.MaxValue, long.MinValue).Select(n => (JsonNode?)JsonValue.Create(n)),
            Gen.Elements(0.5, 1e308, -1e-9).Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Constant<JsonNode?>(null));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = Replacement(depth - 1);
        return Gen.Frequency(
            (6, scalar),
            (1, inner.ListOf().Select(items => (JsonNode?)new JsonArray([.. items.Take(3).Select(i => i?.DeepClone())]))),
            (1, Gen.Elements(HostileStrings).Zip(inner).ListOf().Select(pairs =>
            {
                var o = new JsonObject();
                foreach (var (key, value) in pairs.Take(3))
                {
                    o[key.Length == 0 ? "k" : key[..Math.Min(key.Length, 20)]] = value?.DeepClone();
                }

                return (JsonNode?)o;
            })));
    }

    /// <summary>0-5 replace the value at <paramref name="path"/>, 6-7 delete it, 8 add an unknown key beside it,
    /// 9 re-case its key (the binder is case-insensitive, JSON is not).</summary>
    private static void Mutate(JsonObject root, string[] path, JsonNode? replacement, int kind)
    {
        // An earlier mutation may have replaced an ancestor: walk while the shape still fits, else leave it.
        JsonNode? parent = root;
        for (var i = 0; i < path.Length - 1 && parent is not null; i++)
        {
            parent = parent switch
            {
                JsonObject o => o[path[i]],
                JsonArray a when int.TryParse(path[i], out var index) && index < a.Count => a[index],
                _ => null,
            };
        }

        var key = path[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(key):
                if (kind <= 5)
                {
                    o[key] = replacement;
                }
                else if (kind <= 7)
                {
                    o.Remove(key);
                }
                else if (kind == 8)
                {
                    o["Unexpected" + key] = replacement;
                }
                else
                {
                    var value = o[key];
                    o.Remove(key);
                    o[key.ToUpperInvariant()] = value;
                }

                break;
            case JsonArray a when int.TryParse(key, out var index) && index < a.Count:
                if (kind <= 5)
                {
                    a[index] = replacement;
                }
                else
                {
                    a.RemoveAt(index);
                }

                break;
        }
    }

    public void Dispose() => _folder.Dispose();
}
