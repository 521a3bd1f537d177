using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MtlsGateway.Tests.Policies;

/// <summary>
/// An IdP for the tests: ES256, RS256 and PS256 keys generated here, their JWKS, and JWTs built by hand (header,
/// payload, signature per RFC 7515), so a test can also make what no library would (alg none, HMAC, a forged signature).
/// </summary>
internal sealed class TestTokens : IDisposable
{
    public const string Issuer = "https://idp.partner.test";
    public const string Audience = "orders-api";

    public ECDsa Es256 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public RSA Rsa { get; } = RSA.Create(2048);

    public string EsKid { get; init; } = "es-1";

    public string RsKid { get; init; } = "rs-1";

    /// <summary>The public JWKS of <see cref="Es256"/> and <see cref="Rsa"/>.</summary>
    public string Jwks() => new JsonObject { ["keys"] = new JsonArray(EcJwk(Es256, EsKid), RsaJwk(Rsa, RsKid)) }.ToJsonString();

    public static JsonObject EcJwk(ECDsa key, string kid)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = kid, ["use"] = "sig", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) };
    }

    public static JsonObject RsaJwk(RSA key, string kid)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
    }

    /// <summary>base64url SHA-256 of the certificate's DER: the <c>cnf.x5t#S256</c> that binds a token to it.</summary>
    public static string Thumbprint(X509Certificate2 certificate) => Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));

    /// <summary>Claims of a good token bound to <paramref name="thumbprint"/>, valid from a minute ago for an hour.</summary>
    public static JsonObject Claims(string? thumbprint, DateTimeOffset now) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = "acme-orders-client",
        ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
        ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        ["cnf"] = thumbprint is null ? null : new JsonObject { ["x5t#S256"] = thumbprint },
    };

    /// <summary>A JWS signed as <paramref name="alg"/> says (ES256, RS256, PS256; HS256 with <paramref name="secret"/>;
    /// none unsigned), with <paramref name="kid"/> in its header (default: the key's own).</summary>
    public string Sign(JsonObject claims, string alg = "ES256", string? kid = null, ECDsa? ecKey = null, RSA? rsaKey = null, byte[]? secret = null)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (alg != "none")
        {
            header["kid"] = kid ?? (alg == "ES256" ? EsKid : RsKid);
        }

        var input = Part(header.ToJsonString()) + "." + Part(claims.ToJsonString());
        var data = Encoding.ASCII.GetBytes(input);
        var signature = alg switch
        {
            "ES256" => (ecKey ?? Es256).SignData(data, HashAlgorithmName.SHA256), // IEEE P1363 r||s, as JWS wants
            "RS256" => (rsaKey ?? Rsa).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => (rsaKey ?? Rsa).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "HS256" => HMACSHA256.HashData(secret ?? new byte[32], data),
            _ => [],
        };
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public void Dispose()
    {
        Es256.Dispose();
        Rsa.Dispose();
    }
}
