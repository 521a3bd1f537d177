using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies.BoundTokens;

/// <summary>
/// A policy's <c>BoundToken</c>, compiled: every request must carry <c>Authorization: Bearer &lt;JWT&gt;</c> signed with a
/// key of the JWKS (chosen by <c>kid</c>; ES256, RS256 or PS256), whose <c>iss</c> and <c>aud</c> match, valid now on the
/// gateway's clock within the trust store's ClockSkew, and whose <c>cnf.x5t#S256</c> (RFC 8705 §3.1) is the SHA-256 of
/// the client certificate the request came with. Signature, issuer, audience and lifetime are checked by
/// Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>; the binding and the refusal wording are ours.
/// Admissions are cached per token and certificate until the token expires (<see cref="BoundTokenCache"/>).
/// </summary>
internal sealed class BoundTokenPolicy
{
    private const string Bearer = "Bearer ";

    /// <summary>What a refused request is told (RFC 6750 §3): its token is the problem, whichever check failed.</summary>
    public static readonly KeyValuePair<string, string> Challenge = new("WWW-Authenticate", "Bearer error=\"invalid_token\"");

    // Values a client chose (alg, kid, iss, aud) are shown in hints, shortened.
    private const int ShownLength = 100;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _time;

    private BoundTokenPolicy(string issuer, string audience, SigningKeySet keys, TrustStore store, TimeProvider time)
    {
        Issuer = issuer;
        Audience = audience;
        Keys = keys;
        ClockSkew = store.ClockSkew;
        TrustStoreName = store.Name;
        _time = time;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKeys = keys.Keys,
            ValidAlgorithms = SigningKeySet.Algorithms,
            TryAllIssuerSigningKeys = false, // the token's kid picks its key, nothing else
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ClockSkew = store.ClockSkew,
            LifetimeValidator = ValidateLifetime, // on the gateway's clock, not the library's DateTime.UtcNow
            SaveSigninToken = false,
        };
    }

    public string Issuer { get; }

    public string Audience { get; }

    public SigningKeySet Keys { get; }

    public TimeSpan ClockSkew { get; }

    public string TrustStoreName { get; }

    internal BoundTokenCache Cache { get; } = new();

    /// <summary>Compiles <paramref name="options"/> of the policy at <paramref name="path"/>; null after reporting every problem.</summary>
    public static BoundTokenPolicy? Load(BoundTokenOptions options, string path, string baseDirectory, TrustStore? store, TimeProvider time,
        ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            errors.Add(new ConfigError($"{path}:Issuer", "is missing; set it to the exact 'iss' of the IdP's tokens, e.g. 'https://idp.partner.test'"));
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add(new ConfigError($"{path}:Audience", "is missing; set it to the 'aud' the IdP issues tokens for this API with, e.g. 'orders-api'"));
        }

        var keysPath = $"{path}:SigningKeysFile";
        var file = string.IsNullOrWhiteSpace(options.SigningKeysFile)
            ? Missing(keysPath, errors)
            : ConfigFiles.RequireFile(baseDirectory, options.SigningKeysFile, keysPath, errors);
        var keys = file is null ? null : SigningKeySet.Load(file, options.SigningKeysFile!, keysPath, errors);
        return keys is null || store is null || string.IsNullOrWhiteSpace(options.Issuer) || string.IsNullOrWhiteSpace(options.Audience)
            ? null
            : new BoundTokenPolicy(options.Issuer.Trim(), options.Audience.Trim(), keys, store, time);
    }

    /// <summary>Checks the request's <c>Authorization</c> values against <paramref name="certificate"/> (null: none verified).</summary>
    public ValueTask<BoundTokenVerdict> CheckAsync(StringValues authorization, PresentedCertificate? certificate, string policyName)
    {
        if (authorization.Count == 0)
        {
            return Done(BoundTokenVerdict.Invalid(
                $"the request has no Authorization header; policy '{policyName}' requires 'Authorization: Bearer <token>' with an access token from {Issuer} bound to the client certificate"));
        }

        if (authorization.Count > 1)
        {
            return Done(BoundTokenVerdict.Invalid("the request has more than one Authorization header; send exactly one, 'Authorization: Bearer <token>'"));
        }

        var value = authorization[0] ?? string.Empty;
        if (!value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || value.AsSpan(Bearer.Length).Trim().IsEmpty)
        {
            // The scheme is named only when it looks like one: a bare token must not reach the log.
            var scheme = value.Split(' ', 2)[0];
            var shown = scheme.Length is > 0 and <= 20 && scheme.All(char.IsAsciiLetter) ? $"scheme '{scheme}'" : "no scheme";
            return Done(BoundTokenVerdict.Invalid(
                $"the Authorization header is not a Bearer token ({shown}); send 'Authorization: Bearer <token>' with an access token from {Issuer}"));
        }

        if (certificate is null)
        {
            return Done(BoundTokenVerdict.NotBound(
                $"the request came without a verified client certificate, so its token cannot be bound to one; policy '{policyName}' requires the certificate the token was issued for"));
        }

        var token = value.AsSpan(Bearer.Length).Trim();
        var key = Cache.KeyFor(value, token, certificate.Identity.Sha256);
        return Cache.IsAdmitted(key, _time.GetUtcNow()) ? Done(BoundTokenVerdict.Admitted) : ValidateAsync(token.ToString(), key, certificate);
    }

    private async ValueTask<BoundTokenVerdict> ValidateAsync(string token, BoundTokenCache.Key key, PresentedCertificate certificate)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return BoundTokenVerdict.Invalid("the bearer token is not a JWT (three base64url parts: header.payload.signature, the header and payload JSON)");
        }

        if (jwt.IsEncrypted)
        {
            return BoundTokenVerdict.Invalid("the bearer token is encrypted (JWE); the gateway accepts signed JWTs (JWS) only");
        }

        if (!SigningKeySet.Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return BoundTokenVerdict.Invalid(
                $"the token's alg '{Shown(jwt.Alg)}' is not accepted; tokens must be signed with {string.Join(", ", SigningKeySet.Algorithms)} (never 'none', never HMAC)");
        }

        var result = await _handler.ValidateTokenAsync(jwt, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return BoundTokenVerdict.Invalid(Explain(result.Exception, jwt));
        }

        var expected = Base64Url.EncodeToString(Convert.FromHexString(certificate.Identity.Sha256));
        var bound = BoundThumbprint(jwt);
        if (bound is null)
        {
            return BoundTokenVerdict.NotBound(
                "the token has no cnf claim with x5t#S256, so it is not bound to a certificate (RFC 8705); the IdP must issue certificate-bound tokens to this client");
        }

        if (!string.Equals(bound, expected, StringComparison.Ordinal))
        {
            return BoundTokenVerdict.NotBound(
                $"the token is bound to certificate x5t#S256 '{Shown(bound)}', not to the one the client presented (x5t#S256 '{expected}'); the client must use the certificate the token was issued for, or get a token for this one");
        }

        Cache.Admit(key, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + ClockSkew);
        return BoundTokenVerdict.Admitted;
    }

    /// <summary>The library's lifetime check, on <see cref="TimeProvider"/>; each failure throws the exception the library
    /// itself would, which <see cref="Explain"/> words.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is not { } until)
        {
            throw new SecurityTokenNoExpirationException();
        }

        if (notBefore is { } from && from > until)
        {
            throw new SecurityTokenInvalidLifetimeException();
        }

        if (notBefore is { } start && start > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException();
        }

        return until >= now - ClockSkew ? true : throw new SecurityTokenExpiredException();
    }

    private string Explain(Exception? exception, JsonWebToken jwt)
    {
        var now = _time.GetUtcNow();
        var validTo = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        var validFrom = new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero);
        return exception switch
        {
            SecurityTokenSignatureKeyNotFoundException => string.IsNullOrEmpty(jwt.Kid)
                ? $"the token names no kid, and tokens select their key of SigningKeysFile '{Keys.File}' by kid"
                : $"the token's kid '{Shown(jwt.Kid)}' is not a key of SigningKeysFile '{Keys.File}' (kids: {string.Join(", ", Keys.Keys.Select(k => k.KeyId))}); if the IdP rotated its keys, replace the file with its current JWKS",
            SecurityTokenInvalidSignatureException => $"the token's signature does not verify with key '{Shown(jwt.Kid)}' of SigningKeysFile '{Keys.File}'; it was not signed by that key",
            SecurityTokenInvalidIssuerException => $"the token's iss '{Shown(Claim(jwt, "iss"))}' is not the policy's Issuer '{Issuer}'",
            SecurityTokenInvalidAudienceException => $"the token's aud '{Shown(Audiences(jwt))}' does not include the policy's Audience '{Audience}'",
            SecurityTokenExpiredException => $"the token expired at {Durations.Instant(validTo)}, {Durations.Humanize(now - validTo)} ago (ClockSkew {ClockSkew} of trust store '{TrustStoreName}'); the client must get a new token",
            SecurityTokenNotYetValidException => $"the token is valid only from {Durations.Instant(validFrom)}, in {Durations.Humanize(validFrom - now)} (ClockSkew {ClockSkew} of trust store '{TrustStoreName}'); check the clocks of the IdP and the gateway",
            SecurityTokenNoExpirationException => "the token has no exp claim; the gateway accepts only tokens that expire",
            SecurityTokenInvalidLifetimeException => "the token's nbf is after its exp; the IdP issued an impossible lifetime",
            _ => $"the token did not validate ({exception?.GetType().Name ?? "unknown error"})",
        };
    }

    /// <summary><c>cnf.x5t#S256</c> of the payload, or null. Read from the payload JSON itself: the claim is an object,
    /// which the token's claim accessors give as text of their own making.</summary>
    private static string? BoundThumbprint(JsonWebToken jwt)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object
                && cnf.TryGetProperty("x5t#S256", out var thumbprint) && thumbprint.ValueKind == JsonValueKind.String
                ? thumbprint.GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null; // the library parsed it already; unreachable in practice
        }
    }

    private static string? Claim(JsonWebToken jwt, string name) =>
        jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;

    private static string Audiences(JsonWebToken jwt) => string.Join(", ", jwt.Audiences);

    private static string Shown(string? value) => RefusalFieldCaps.Truncate(value ?? "(none)", ShownLength)!;

    private static string? Missing(string path, ICollection<ConfigError> errors)
    {
        errors.Add(new ConfigError(path, "is missing; name the IdP's JWKS file (its public signing keys, from its jwks_uri), relative to the config file's folder or absolute"));
        return null;
    }

    private static ValueTask<BoundTokenVerdict> Done(BoundTokenVerdict verdict) => ValueTask.FromResult(verdict);
}
