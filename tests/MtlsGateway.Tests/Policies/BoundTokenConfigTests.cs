using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.EndToEnd;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Policies;

/// <summary>A policy's <c>BoundToken</c> is checked at load: every mistake at its path, saying what to do.</summary>
[Trait("Category", "Unit")]
public sealed class BoundTokenConfigTests
{
    private const string KeysPath = "Gateway:Policies:tokens:BoundToken:SigningKeysFile";

    /// <summary>JWKS file content (null: no file), the path of the error, a fragment of its message.</summary>
    public static TheoryData<string?, string, string> BadKeys()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var good = TestTokens.EcJwk(ec, "es-1");
        JsonNode Keys(params JsonNode[] keys) => new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => k.DeepClone())]) };
        JsonObject Edit(JsonObject key, string name, string? value)
        {
            var copy = (JsonObject)key.DeepClone();
            copy[name] = value;
            return copy;
        }

        var p384Key = TestTokens.EcJwk(p384, "es-384");
        p384Key["crv"] = "P-384";
        return new TheoryData<string?, string, string>
        {
            { null, KeysPath, "file 'idp-jwks.json' does not exist" },
            { "{ not json", KeysPath, "'idp-jwks.json' is not JSON" },
            { "[]", KeysPath, "is not a JWKS: expected an object with a \"keys\" array" },
            { Keys(new JsonObject { ["kty"] = "oct", ["kid"] = "shared", ["k"] = "c2VjcmV0" }).ToJsonString(), KeysPath, "key 'shared' is a symmetric (HMAC) key (kty 'oct')" },
            { Keys(Edit(good, "d", "cHJpdmF0ZQ")).ToJsonString(), KeysPath, "key 'es-1' holds private key material ('d')" },
            { Keys().ToJsonString(), KeysPath, "has no usable signing key (it lists no keys)" },
            { Keys(Edit(good, "use", "enc")).ToJsonString(), KeysPath, "has no usable signing key (key 'es-1': use 'enc' is not 'sig')" },
            { Keys(p384Key).ToJsonString(), KeysPath, "key 'es-384': curve 'P-384' is not P-256 (ES256)" },
            { Keys(Edit(good, "kid", null)).ToJsonString(), KeysPath, "key #0: no kid" },
            { Keys(Edit(good, "alg", "RS256")).ToJsonString(), KeysPath, "key 'es-1': alg 'RS256' is not one of ES256, RS256, PS256" },
            { Keys(good, good).ToJsonString(), KeysPath, "kid 'es-1' appears more than once" },
        };
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Load_BadSigningKeysFile_ReportsPathAndFix(string? jwks, string path, string message)
    {
        using var folder = new ConfigFolder((config, directory) =>
        {
            BoundTokenTests.AddTokenPolicy(config);
            if (jwks is not null)
            {
                File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), jwks);
            }
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message);
    }

    [Fact]
    public void Load_MissingIssuerAudienceAndFile_ReportsEachAtItsPath()
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            BoundTokenTests.AddTokenPolicy(config);
            config["Gateway"]!["Policies"]!["tokens"]!["BoundToken"] = new JsonObject { ["Issuer"] = " " };
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Select(e => e.Path).Should().Contain([
            "Gateway:Policies:tokens:BoundToken:Issuer", "Gateway:Policies:tokens:BoundToken:Audience", KeysPath]);
    }

    [Fact]
    public void Load_GoodJwksWithAnEncryptionKeyBeside_IsAccepted()
    {
        using var idp = new TestTokens();
        using var folder = new ConfigFolder((config, directory) =>
        {
            BoundTokenTests.AddTokenPolicy(config);
            var jwks = (JsonObject)JsonNode.Parse(idp.Jwks())!;
            var encryption = TestTokens.RsaJwk(idp.Rsa, "enc-1");
            encryption["use"] = "enc";
            ((JsonArray)jwks["keys"]!).Add(encryption);
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), jwks.ToJsonString());
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().BeEmpty();
    }
}
