using System.Net;
using System.Text.Json;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>On a host that mixes Strict and Permissive routes the handshake only asks for a certificate; every
/// request is then checked against its own route's policy, and refusals are problem+json with a reason.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RequestPolicyTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("client-expired", "Expired")]
    [InlineData("client-not-yet-valid", "NotYetValid")]
    [InlineData("client-revoked", "Revoked")]
    [InlineData("client-no-clientauth", "WrongUsage")]
    [InlineData(null, "NoCertificate")]
    public async Task StrictRoute_BadCertificate_Is403WithReason(string? certificate, string reason)
    {
        using var client = _host.CreateClient("localhost", certificate);

        var response = await client.GetAsync("/orders/1");

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, reason);
        var logged = await _host.Logs.WaitForAsync("RequestRejected");
        LogSink.Property(logged, "Reason").Should().Be(reason);
        LogSink.Property(logged, "Route").Should().Be("orders");
        LogSink.Property(logged, "Policy").Should().Be("acme-orders");
        LogSink.Property(logged, "Host").Should().StartWith("localhost");
    }

    [Fact]
    public async Task StrictRoute_GoodCertificate_ReachesBackendWithIdentity()
    {
        using var client = _host.CreateClient("localhost", "client");

        var echo = await EchoAsync(await client.GetAsync("/orders/7"));

        echo.GetProperty("path").GetString().Should().Be("/orders/7");
        var headers = echo.GetProperty("headers");
        headers.GetProperty("X-Client-Cert-Verified").GetString().Should().Be("SUCCESS");
        headers.GetProperty("X-Client-Cert-Policy").GetString().Should().Be("acme-orders");
        headers.GetProperty("X-Client-Cert-Subject").GetString().Should().Be("CN=acme-orders-client,O=Acme");
        headers.GetProperty("X-Forwarded-Client-Cert").GetString().Should().StartWith("Hash=").And.Contain("URI=spiffe://acme.test/orders/client");
    }

    [Theory]
    [InlineData("client-expired", "Expired")]
    [InlineData("client-revoked", "Revoked")]
    public async Task PermissiveRoute_InvalidCertificate_IsRefused(string certificate, string reason)
    {
        using var client = _host.CreateClient("localhost", certificate);

        var response = await client.GetAsync("/status");

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, reason);
    }

    [Fact]
    public async Task PermissiveRoute_NoCertificate_IsForwardedAsVerifiedNone()
    {
        using var client = _host.CreateClient("localhost", certificate: null);

        var echo = await EchoAsync(await client.GetAsync("/status"));

        echo.GetProperty("headers").GetProperty("X-Client-Cert-Verified").GetString().Should().Be("NONE");
        echo.GetProperty("headers").TryGetProperty("X-Client-Cert-Subject", out _).Should().BeFalse();
    }

    [Fact]
    public async Task PermissiveRoute_ValidCertificate_IsForwardedVerified()
    {
        using var client = _host.CreateClient("localhost", "client");

        var echo = await EchoAsync(await client.GetAsync("/status"));

        echo.GetProperty("headers").GetProperty("X-Client-Cert-Verified").GetString().Should().Be("SUCCESS");
        echo.GetProperty("headers").GetProperty("X-Client-Cert-Policy").GetString().Should().Be("open-status");
    }

    [Fact]
    public async Task Plaintext_PermissiveRoute_IsForwardedAsVerifiedNone()
    {
        using var client = _host.CreateClient("localhost", certificate: null, listener: "plain");

        var echo = await EchoAsync(await client.GetAsync("/status"));

        echo.GetProperty("headers").GetProperty("X-Client-Cert-Verified").GetString().Should().Be("NONE");
    }

    [Fact]
    public async Task Plaintext_StrictRoute_IsRefusedPlaintextNotAllowed()
    {
        using var client = _host.CreateClient("localhost", certificate: null, listener: "plain");

        var response = await client.GetAsync("/orders/1");

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "PlaintextNotAllowed");
    }

    [Fact]
    public async Task HostDifferentFromSni_Is421HostMismatch()
    {
        // Connect leniently to the Permissive-only host, then ask for a Strict host on the same connection.
        var response = await TlsProbe.ExchangeAsync(_host.Port(), "open.partner.test",
            "GET /orders/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        response.Should().StartWith("HTTP/1.1 421").And.Contain("\"reason\":\"HostMismatch\"").And.NotContain("demo echo");
        LogSink.Property(await _host.Logs.WaitForAsync("RequestRejected"), "Sni").Should().Be("open.partner.test");
    }

    [Fact]
    public async Task Http2_ThroughGateway_ReachesBackend()
    {
        using var client = _host.CreateClient("localhost", "client", version: HttpVersion.Version20);

        var response = await client.GetAsync("/orders/h2");

        response.Version.Should().Be(HttpVersion.Version20);
        (await EchoAsync(response)).GetProperty("path").GetString().Should().Be("/orders/h2");
    }

    [Fact]
    public async Task NoMatchingRoute_Is404ProblemAndBackendNotContacted()
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/nothing-here");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().NotContain("demo echo");
    }

    [Fact]
    public async Task Refusal_TraceIdInBody_IsTheTraceIdOfItsEvent()
    {
        using var client = _host.CreateClient("localhost", "client-expired");

        var response = await client.GetAsync("/orders/trace");

        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var traceId = problem.RootElement.GetProperty("traceId").GetString();
        LogSink.Property(await _host.Logs.WaitForAsync("RequestRejected"), "TraceId").Should().Be(traceId);
    }

    [Fact]
    public async Task ClientTraceContext_ReachesBackendUnchanged()
    {
        // The gateway starts no span of its own (no per-request Activity): the client's trace context is the backend's.
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var client = _host.CreateClient("localhost", "client");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/traced");
        request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        request.Headers.TryAddWithoutValidation("tracestate", "partner=1");

        var echo = await EchoAsync(await client.SendAsync(request));

        echo.GetProperty("headers").GetProperty("traceparent").GetString().Should().Be(traceParent);
        echo.GetProperty("headers").GetProperty("tracestate").GetString().Should().Be("partner=1");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var body = await response.Content.ReadAsStringAsync();
        body.Should().NotContain("demo echo", "a refused request never reaches the backend");
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.RootElement.GetProperty("reason").GetString().Should().Be(reason);
        problem.RootElement.GetProperty("traceId").GetString().Should().NotBeNullOrEmpty();
    }

    private static async Task<JsonElement> EchoAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}

/// <summary>Keep-alive connections reuse the request-level verdict, but never past the moment it could change.</summary>
[Trait("Category", "EndToEnd")]
public sealed class KeepAliveVerdictTests
{
    [Fact]
    public async Task CertificateExpiringDuringConnection_NextRequestIsRefusedExpired()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        // Reload polling runs on the same clock: off, so advancing a month does not fire it millions of times.
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Reload"]!["Enabled"] = false, time);
        using var pki = new TestPkiDirectory(host.Pki(""));
        var shortLived = pki.IssueClient("short-lived", "CN=acme-orders-client,O=Acme");
        using var client = host.CreateClientWith("localhost", shortLived);
        var first = await client.GetAsync("/orders/1");

        time.Advance(TimeSpan.FromDays(31));
        var second = await client.GetAsync("/orders/2");

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await second.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"Expired\"");
    }
}

/// <summary>A route's policy is its <c>AuthorizationPolicy</c> (or the default policy), whatever its metadata says.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RoutePolicySourceTests
{
    [Fact]
    public async Task RouteMetadata_CannotNameThePolicy()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            config["ReverseProxy"]!["Routes"]!["orders"]!["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["MtlsGateway.Policy"] = "open-status" };
        });
        using var anonymousLocal = host.CreateClient("localhost", certificate: null);

        var orders = await anonymousLocal.GetAsync("/orders/1");
        var status = await anonymousLocal.GetAsync("/status");

        orders.StatusCode.Should().Be(HttpStatusCode.Forbidden, "route 'orders' names acme-orders (Strict)");
        (await orders.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"NoCertificate\"");
        status.StatusCode.Should().Be(HttpStatusCode.OK, "route 'status' names the Permissive open-status");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Policy").Should().Be("acme-orders");
    }
}
