using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MtlsLoad;

/// <summary>
/// <c>mtls-load token</c>: what the gateway-boundtoken target needs, made with a fresh P-256 key — a JWKS file for the
/// policy's BoundToken and an ES256 access token bound (<c>cnf.x5t#S256</c>) to the client certificate, valid a day.
/// </summary>
internal static class BoundToken
{
    public const string Issuer = "https://idp.bench.test";

    public const string Audience = "bench-api";

    public static async Task<int> WriteAsync(LoadOptions options)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "bench", ["alg"] = "ES256", ["use"] = "sig",
                ["x"] = Base64Url.EncodeToString(point.X), ["y"] = Base64Url.EncodeToString(point.Y),
            }),
        };
        // The leaf: the first certificate of the PEM (the intermediates follow it).
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(options.CertificateFile));
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["aud"] = Audience, ["sub"] = "bench-client",
            ["iat"] = now.ToUnixTimeSeconds(), ["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds(), ["exp"] = now.AddDays(1).ToUnixTimeSeconds(),
            ["cnf"] = new JsonObject { ["x5t#S256"] = Base64Url.EncodeToString(SHA256.HashData(certificate.RawData)) },
        };
        var input = Part(new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = "bench" }) + "." + Part(claims);
        // .NET signs ECDSA as IEEE P1363 (r||s), which is what JWS wants.
        var token = input + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
        await File.WriteAllTextAsync(options.Get("jwks", "jwks.json"), jwks.ToJsonString());
        await File.WriteAllTextAsync(options.Get("token-out", "token.txt"), token);
        return 0;
    }

    private static string Part(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
