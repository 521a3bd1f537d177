using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Tests.Policies;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>BoundToken over time: token lifetimes are judged on the gateway's clock (cached admissions too), and a
/// replaced JWKS file takes effect without a restart.</summary>
[Trait("Category", "EndToEnd")]
public sealed class BoundTokenLifecycleTests
{
    [Fact]
    public async Task CachedToken_PastItsExpOnTheGatewaysClock_IsRefusedExpired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var idp = new TestTokens();
        // Reload polling runs on the same clock: off, so advancing it does not fire the watcher.
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), idp.Jwks());
            BoundTokenTests.AddTokenPolicy(config);
            config["Gateway"]!["Reload"]!["Enabled"] = false;
        }, time);
        var token = idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(BoundTokenTests.LoadLeaf(host.Pki("client.crt"))), time.GetUtcNow()));
        using var client = host.CreateClient("localhost", "client");

        using var first = await BoundTokenTests.SendAsync(client, $"Bearer {token}");
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2)); // exp is an hour away, ClockSkew one minute
        using var second = await BoundTokenTests.SendAsync(client, $"Bearer {token}");

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the real clock still says valid; the gateway's says expired");
        (await second.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"TokenInvalid\"");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Hint").Should().Contain("the token expired at").And.Contain("2 minutes ago");
    }

    [Fact]
    public async Task TokenFromTheFutureOfTheGatewaysClock_IsRefusedNotYetValid()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        using var idp = new TestTokens();
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), idp.Jwks());
            BoundTokenTests.AddTokenPolicy(config);
            config["Gateway"]!["Reload"]!["Enabled"] = false;
        }, time);
        var token = idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(BoundTokenTests.LoadLeaf(host.Pki("client.crt"))), DateTimeOffset.UtcNow));
        using var client = host.CreateClient("localhost", "client");

        using var response = await BoundTokenTests.SendAsync(client, $"Bearer {token}");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "valid by the real clock, not yet by the gateway's");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Hint").Should().Contain("the token is valid only from");
    }

    [Fact]
    public async Task JwksFileReplaced_NewKeyAdmitsAndTheRetiredKeyIsRefused()
    {
        using var idp = new TestTokens();
        using var rotated = new TestTokens { EsKid = "es-2", RsKid = "rs-2" };
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), idp.Jwks());
            BoundTokenTests.AddTokenPolicy(config);
        });
        var claims = TestTokens.Claims(TestTokens.Thumbprint(BoundTokenTests.LoadLeaf(host.Pki("client.crt"))), DateTimeOffset.UtcNow);
        var oldToken = idp.Sign(claims);
        var newToken = rotated.Sign(claims);
        using var client = host.CreateClient("localhost", "client");
        using var before = await BoundTokenTests.SendAsync(client, $"Bearer {oldToken}");

        await GatewayTestHost.ReplaceFileAsync(Path.Combine(host.Directory, "idp-jwks.json"), rotated.Jwks());
        await host.WaitForReloadAsync(2);
        using var oldAfter = await BoundTokenTests.SendAsync(client, $"Bearer {oldToken}");
        using var newAfter = await BoundTokenTests.SendAsync(client, $"Bearer {newToken}");

        before.StatusCode.Should().Be(HttpStatusCode.OK);
        newAfter.StatusCode.Should().Be(HttpStatusCode.OK, "the replaced file is read without a restart, on the same connection");
        oldAfter.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a cached admission does not outlive the key that signed it");
        var traceId = JsonNode.Parse(await oldAfter.Content.ReadAsStringAsync())!["traceId"]!.GetValue<string>();
        var refused = await host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "TraceId") == traceId);
        LogSink.Property(refused, "Hint").Should().Contain("kid 'es-1' is not a key of SigningKeysFile 'idp-jwks.json' (kids: es-2, rs-2)");
    }

    [Fact]
    public async Task JwksFileReplacedWithAnHmacKey_ReloadRefusedAndTheOldKeysStay()
    {
        using var idp = new TestTokens();
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            File.WriteAllText(Path.Combine(directory, "idp-jwks.json"), idp.Jwks());
            BoundTokenTests.AddTokenPolicy(config);
        });
        var token = idp.Sign(TestTokens.Claims(TestTokens.Thumbprint(BoundTokenTests.LoadLeaf(host.Pki("client.crt"))), DateTimeOffset.UtcNow));
        var hmac = new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "oct", ["kid"] = "shared", ["k"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }) };

        await GatewayTestHost.ReplaceFileAsync(Path.Combine(host.Directory, "idp-jwks.json"), hmac.ToJsonString());
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        using var client = host.CreateClient("localhost", "client");
        using var response = await BoundTokenTests.SendAsync(client, $"Bearer {token}");

        LogSink.Property(failed, "Errors").Should().Contain("Gateway:Policies:tokens:BoundToken:SigningKeysFile").And.Contain("symmetric (HMAC) key");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the last good configuration, with its keys, stays in force");
    }
}
