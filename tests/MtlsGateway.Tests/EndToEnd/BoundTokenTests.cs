using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Runtime;
using MtlsGateway.Tests.Policies;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 25 item 2: a policy with <c>BoundToken</c> admits a request only with a JWT from its issuer, for its audience,
/// signed with a key of its JWKS, valid now and bound (<c>cnf.x5t#S256</c>) to the client certificate of the
/// connection; every other request gets 401 with the Reason and a hint naming the failed check, and the token is
/// never logged.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class BoundTokenTests(BoundTokenTests.Fixture fixture) : IClassFixture<BoundTokenTests.Fixture>
{
    private readonly GatewayTestHost _host = fixture.Host;
    private readonly TestTokens _idp = fixture.Idp;

    public sealed class Fixture : IAsyncLifetime
    {
        internal GatewayTestHost Host { get; private set; } = null!;

        internal TestTokens Idp { get; } = new();

        public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), Idp.Jwks());
            AddTokenPolicy(config);
            // Every case below uses its own certificate; log each refusal in full rather than summarise them by IP.
            config["Gateway"]!["Logging"] = new JsonObject { ["RefusalSummaryCertificatesPerIp"] = 1000 };
        });

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Idp.Dispose();
        }
    }

    /// <summary>Policy <c>tokens</c> (Strict, any verified certificate, BoundToken with <c>idp-jwks.json</c>) on <c>/api/…</c>.</summary>
    internal static void AddTokenPolicy(JsonObject config)
    {
        config["Gateway"]!["Policies"]!["tokens"] = JsonNode.Parse($$"""
            { "Mode": "Strict", "TrustStore": "partners",
              "BoundToken": { "Issuer": "{{TestTokens.Issuer}}", "Audience": "{{TestTokens.Audience}}", "SigningKeysFile": "idp-jwks.json" } }
            """);
        config["ReverseProxy"]!["Routes"]!["tokens"] = JsonNode.Parse("""
            { "ClusterId": "echo", "AuthorizationPolicy": "tokens", "Match": { "Hosts": [ "localhost" ], "Path": "/api/{**rest}" } }
            """);
    }

    [Theory]
    [InlineData("ES256", "1.1")]
    [InlineData("RS256", "1.1")]
    [InlineData("PS256", "2.0")]
    public async Task BoundToken_SignedByTheIdp_IsForwardedUnchanged(string alg, string version)
    {
        var (certificate, leaf) = Issue($"tok-ok-{alg}");
        var token = _idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(leaf), DateTimeOffset.UtcNow), alg);
        using var client = _host.CreateClientWith("localhost", certificate, version: Version.Parse(version));

        var first = await SendAsync(client, $"Bearer {token}");
        var again = await SendAsync(client, $"Bearer {token}");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(first);
        headers["Authorization"].Should().Be($"Bearer {token}", "the token reaches the backend as the client sent it");
        headers["X-Client-Cert-Policy"].Should().Be("tokens");
        again.StatusCode.Should().Be(HttpStatusCode.OK, "the cached admission holds until the token expires");
        _host.Gateway.Services.GetRequiredService<GatewayState>().Current.Policies["tokens"].BoundToken!.Cache.Count
            .Should().BeGreaterThan(0, "an admitted token is cached by its hash and the certificate");
    }

    /// <summary>case, Reason, a fragment of the hint.</summary>
    public static TheoryData<string, string, string> Refusals => new()
    {
        { "missing", "TokenInvalid", "the request has no Authorization header" },
        { "basic", "TokenInvalid", "is not a Bearer token (scheme 'Basic')" },
        { "malformed", "TokenInvalid", "the bearer token is not a JWT" },
        { "alg-none", "TokenInvalid", "the token's alg 'none' is not accepted" },
        { "hmac", "TokenInvalid", "the token's alg 'HS256' is not accepted" },
        { "wrong-key", "TokenInvalid", "the token's signature does not verify with key 'es-1' of SigningKeysFile 'idp-jwks.json'" },
        { "unknown-kid", "TokenInvalid", "the token's kid 'es-9' is not a key of SigningKeysFile 'idp-jwks.json' (kids: es-1, rs-1)" },
        { "wrong-issuer", "TokenInvalid", "the token's iss 'https://evil.test' is not the policy's Issuer 'https://idp.partner.test'" },
        { "wrong-audience", "TokenInvalid", "the token's aud 'billing-api' does not include the policy's Audience 'orders-api'" },
        { "expired", "TokenInvalid", "the token expired at" },
        { "not-yet-valid", "TokenInvalid", "the token is valid only from" },
        { "no-exp", "TokenInvalid", "the token has no exp claim" },
        { "other-certificate", "TokenNotBound", "the token is bound to certificate x5t#S256" },
        { "no-cnf", "TokenNotBound", "the token has no cnf claim with x5t#S256" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BadOrUnboundToken_IsRefused401WithReasonAndHint_TokenNeverLogged(string scenario, string reason, string hint)
    {
        var (certificate, leaf) = Issue($"tok-{scenario}");
        var now = DateTimeOffset.UtcNow;
        var claims = TestTokens.Claims(TestTokens.Thumbprint(leaf), now);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string? authorization = scenario switch
        {
            "missing" => null,
            "basic" => "Basic YWNtZTpzZWNyZXQ=",
            "malformed" => "Bearer not-a-jwt.at-all",
            "alg-none" => $"Bearer {_idp.Sign(claims, "none")}",
            "hmac" => $"Bearer {_idp.Sign(claims, "HS256", kid: "es-1", secret: RandomNumberGenerator.GetBytes(32))}",
            "wrong-key" => $"Bearer {_idp.Sign(claims, ecKey: otherKey)}",
            "unknown-kid" => $"Bearer {_idp.Sign(claims, kid: "es-9")}",
            "wrong-issuer" => $"Bearer {_idp.Sign(With(claims, "iss", "https://evil.test"))}",
            "wrong-audience" => $"Bearer {_idp.Sign(With(claims, "aud", "billing-api"))}",
            "expired" => $"Bearer {_idp.Sign(With(With(claims, "exp", now.AddMinutes(-10).ToUnixTimeSeconds()), "nbf", now.AddHours(-1).ToUnixTimeSeconds()))}",
            "not-yet-valid" => $"Bearer {_idp.Sign(With(With(claims, "nbf", now.AddMinutes(10).ToUnixTimeSeconds()), "exp", now.AddHours(1).ToUnixTimeSeconds()))}",
            "no-exp" => $"Bearer {_idp.Sign(With(claims, "exp", null))}",
            "other-certificate" => $"Bearer {_idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(Issue("tok-someone-else").Leaf), now))}",
            "no-cnf" => $"Bearer {_idp.Sign(With(claims, "cnf", null))}",
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        using var client = _host.CreateClientWith("localhost", certificate);

        using var response = await SendAsync(client, authorization);

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.ToString().Should().Be("Bearer error=\"invalid_token\"");
        body.Should().Contain($"\"reason\":\"{reason}\"").And.NotContain("demo echo", "a refused request never reaches the backend");
        var traceId = JsonNode.Parse(body)!["traceId"]!.GetValue<string>();
        var logged = await _host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "TraceId") == traceId);
        LogSink.Property(logged, "Reason").Should().Be(reason);
        LogSink.Property(logged, "Hint").Should().Contain(hint);
        LogSink.Property(logged, "Policy").Should().Be("tokens");
        LogSink.Property(logged, "CertSha256").Should().Be(Convert.ToHexString(SHA256.HashData(leaf.RawData)));
        if (authorization is not null)
        {
            var secret = authorization.Split(' ', 2)[1];
            logged.RenderMessage().Should().NotContain(secret, "the token is never logged");
            logged.Properties.Values.Select(v => v.ToString()).Should().NotContain(v => v.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task BoundToken_NoClientCertificate_IsRefusedNotBound()
    {
        // A Permissive policy with BoundToken: without a certificate no token can be bound.
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), _idp.Jwks());
            AddTokenPolicy(config);
            config["Gateway"]!["Policies"]!["tokens"]!["Mode"] = "Permissive";
        });
        using var client = host.CreateClient("localhost", certificate: null);
        var token = _idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(LoadLeaf(host.Pki("client.crt"))), DateTimeOffset.UtcNow));

        using var response = await SendAsync(client, $"Bearer {token}");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"TokenNotBound\"");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Hint").Should().Contain("without a verified client certificate");
    }

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient client, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1") { Version = client.DefaultRequestVersion, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization).Should().BeTrue();
        }

        return await client.SendAsync(request);
    }

    internal static X509Certificate2 LoadLeaf(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    private (SslStreamCertificateContext Context, X509Certificate2 Leaf) Issue(string name)
    {
        using var pki = new TestPkiDirectory(_host.Pki(string.Empty));
        var context = pki.IssueClient(name, $"CN={name}, O=Acme");
        return (context, context.TargetCertificate);
    }

    private static JsonObject With(JsonObject claims, string name, JsonNode? value)
    {
        var copy = (JsonObject)claims.DeepClone();
        if (value is null)
        {
            copy.Remove(name);
        }
        else
        {
            copy[name] = value;
        }

        return copy;
    }
}
