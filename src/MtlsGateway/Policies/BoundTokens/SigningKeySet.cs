using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using MtlsGateway.Configuration;

namespace MtlsGateway.Policies.BoundTokens;

/// <summary>
/// The public keys of a <c>SigningKeysFile</c> (a JWKS, RFC 7517) that tokens may be signed with: EC P-256 keys
/// (ES256) and RSA keys (RS256, PS256), each with a <c>kid</c>, which selects it. A symmetric (HMAC) key or private key
/// material is a configuration error: the file is public data, and an HMAC "key" in it would let anyone who reads it
/// sign tokens. Keys meant for something else (<c>use: enc</c>, another <c>alg</c> or curve) are skipped; a file left
/// with none is an error.
/// </summary>
internal sealed class SigningKeySet
{
    /// <summary>Tokens signed otherwise (<c>none</c>, HMAC, other curves or hashes) are refused.</summary>
    public static readonly string[] Algorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    public static readonly FileLimit Limit = new(1024 * 1024, "the cap for a JWKS file",
        "name the IdP's JWKS (its public signing keys) itself");

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private SigningKeySet(string file, IReadOnlyList<JsonWebKey> keys)
    {
        File = file;
        Keys = keys;
    }

    /// <summary>The file as the configuration names it (for hints).</summary>
    public string File { get; }

    public IReadOnlyList<JsonWebKey> Keys { get; }

    /// <summary>Reads and checks the JWKS at <paramref name="full"/>; null after adding every problem to <paramref name="errors"/>.</summary>
    public static SigningKeySet? Load(string full, string shown, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!SafeFile.TryRead(full, Limit, out var bytes, out var readError))
        {
            errors.Add(new ConfigError(path, $"'{shown}' {readError}"));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            // The reader's message gives line and byte position, never the content.
            errors.Add(new ConfigError(path, $"'{shown}' is not JSON ({ex.Message}); it must be a JWKS: {{ \"keys\": [ ... ] }}"));
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new ConfigError(path, $"'{shown}' is not a JWKS: expected an object with a \"keys\" array (the IdP's jwks_uri document)"));
                return null;
            }

            var keys = new List<JsonWebKey>();
            var skipped = new List<string>();
            var kids = new HashSet<string>(StringComparer.Ordinal);
            var count = errors.Count;
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var name = Describe(element, index++);
                if (Check(element, name, shown, path, errors, out var unusable) && unusable is null)
                {
                    var kid = element.GetProperty("kid").GetString()!;
                    if (!kids.Add(kid))
                    {
                        errors.Add(new ConfigError(path, $"'{shown}': kid '{kid}' appears more than once; each key needs its own kid, which tokens name"));
                        continue;
                    }

                    keys.Add(new JsonWebKey(element.GetRawText()));
                }
                else if (unusable is not null)
                {
                    skipped.Add($"{name}: {unusable}");
                }
            }

            if (errors.Count > count)
            {
                return null;
            }

            if (keys.Count == 0)
            {
                var why = skipped.Count == 0 ? "it lists no keys" : string.Join("; ", skipped);
                errors.Add(new ConfigError(path,
                    $"'{shown}' has no usable signing key ({why}); it needs an EC P-256 (ES256) or RSA (RS256, PS256) public key with a kid"));
                return null;
            }

            return new SigningKeySet(shown, keys);
        }
    }

    /// <summary>False for an error (added); else <paramref name="unusable"/> says why the key is skipped, or is null.</summary>
    private static bool Check(JsonElement key, string name, string shown, string path, ICollection<ConfigError> errors, out string? unusable)
    {
        unusable = null;
        if (key.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ConfigError(path, $"'{shown}': {name} is not a JSON object"));
            return false;
        }

        var kty = Text(key, "kty");
        if (string.Equals(kty, "oct", StringComparison.Ordinal))
        {
            errors.Add(new ConfigError(path,
                $"'{shown}': {name} is a symmetric (HMAC) key (kty 'oct'); BoundToken verifies signatures with public keys only (ES256, RS256, PS256): remove it"));
            return false;
        }

        if (PrivateMembers.FirstOrDefault(m => key.TryGetProperty(m, out _)) is { } secret)
        {
            errors.Add(new ConfigError(path,
                $"'{shown}': {name} holds private key material ('{secret}'); the file must hold only the IdP's public keys: export the public JWKS"));
            return false;
        }

        var alg = Text(key, "alg");
        var use = Text(key, "use");
        unusable = (kty, Text(key, "crv")) switch
        {
            _ when use is not null && use != "sig" => $"use '{use}' is not 'sig'",
            _ when Text(key, "kid") is not { Length: > 0 } => "no kid (tokens select their key by kid)",
            ("EC", "P-256") when alg is null or SecurityAlgorithms.EcdsaSha256 => Missing(key, "x", "y"),
            ("EC", var crv) when crv != "P-256" => $"curve '{crv}' is not P-256 (ES256)",
            ("RSA", _) when alg is null or SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaSsaPssSha256 => Missing(key, "n", "e"),
            ("EC" or "RSA", _) => $"alg '{alg}' is not one of {string.Join(", ", Algorithms)}",
            _ => $"kty '{kty}' is not EC or RSA",
        };
        return true;
    }

    private static string? Missing(JsonElement key, params string[] members) =>
        members.FirstOrDefault(m => Text(key, m) is not { Length: > 0 }) is { } missing ? $"'{missing}' is missing" : null;

    private static string Describe(JsonElement key, int index) =>
        key.ValueKind == JsonValueKind.Object && Text(key, "kid") is { Length: > 0 } kid ? $"key '{kid}'" : $"key #{index}";

    private static string? Text(JsonElement key, string member) =>
        key.ValueKind == JsonValueKind.Object && key.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
