using System.Net;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 20, items 1 and 5: a client sends the gateway's identity and forwarding headers spelt with <c>_</c> (which a
/// CGI/WSGI backend reads as <c>-</c>) and the certificate headers other stacks read (<c>X-Client-Cert</c>,
/// <c>X-SSL-CERT</c>, …), over HTTP/1.1 and HTTP/2, on a Strict route with a certificate and a Permissive route
/// without one: the echo backend receives none of them, only the gateway's own values.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ForgedForwardingHeadersTests(SpoofingFixture fixture) : IClassFixture<SpoofingFixture>
{
    private const string Forged = "FORGED";

    private static readonly (string Name, string Value)[] ForgedHeaders =
    [
        ("X_Client_Cert_Verified", "SUCCESS,NONE"),
        ("X-Client-Cert_Subject", $"CN={Forged}"),
        ("X_Forwarded_Client_Cert", $"Hash={Forged};Subject=\"CN={Forged}\";URI=spiffe://acme.test/admin"),
        ("X_Client_Cert_Uri", "spiffe://acme.test/admin"),
        ("X_Forwarded_For", "203.0.113.66"),
        ("X_Partner_Subject", $"CN={Forged}"),
        ("Client_Cert", $":{Forged}:"),
        ("X-Client-Cert", $"{Forged}MIIB"),
        ("X-SSL-CERT", $"{Forged}MIIB"),
        ("SSL_CLIENT_CERT", $"{Forged}MIIB"),
        ("X-Client-Certificate", $"{Forged}MIIB"),
    ];

    private readonly GatewayTestHost _host = fixture.Host;

    [Theory]
    [InlineData("1.1", "/orders/1", "client", "SUCCESS")]
    [InlineData("1.1", "/status", null, "NONE")]
    [InlineData("2.0", "/orders/1", "client", "SUCCESS")]
    [InlineData("2.0", "/status", null, "NONE")]
    public async Task UnderscoreAndCertificateHeaders_StrictWithCertOrPermissiveWithout_NeverReachTheBackend(
        string version, string path, string? certificate, string verified)
    {
        using var client = _host.CreateClient("localhost", certificate, version: Version.Parse(version));
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = client.DefaultRequestVersion, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var (name, value) in ForgedHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value).Should().BeTrue(name);
        }

        using var response = await client.SendAsync(request);

        response.Version.Should().Be(Version.Parse(version));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().NotContain(Forged).And.NotContain("spiffe://acme.test/admin").And.NotContain("203.0.113.66");
        var headers = IdentityHeadersFixture.EchoHeaders(body);
        headers.Keys.Should().NotContain(k => k.Contains('_', StringComparison.Ordinal), "no header spelt with '_' was sent by the gateway");
        headers.Should().NotContainKeys("X-Client-Cert", "X-SSL-CERT", "SSL-Client-Cert", "X-Client-Certificate", "Client-Cert");
        headers["X-Client-Cert-Verified"].Should().Be(verified, "the gateway's single value");
        headers["X-Forwarded-For"].Should().Be("127.0.0.1", "YARP's value for the real client");
        if (certificate is null)
        {
            headers.Should().NotContainKeys("X-Forwarded-Client-Cert", "X-Client-Cert-Uri", "X-Client-Cert-Subject", "X-Partner-Subject");
        }
        else
        {
            headers["X-Client-Cert-Subject"].Should().Be("CN=acme-orders-client,O=Acme");
            headers["X-Client-Cert-Uri"].Should().Be("spiffe://acme.test/orders/client", "the certificate's own URI SAN");
        }
    }

    [Fact]
    public async Task UnderscoreHeader_TwoRequestsOnOneConnection_LoggedOnceAtDebugWithTheNameNotTheValue()
    {
        // A spelling no other test uses, to pick this connection's event out of the fixture's log.
        const string Name = "x_CLIENT_cert_URI";
        using var client = _host.CreateClient("localhost", "client");
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1");
            request.Headers.TryAddWithoutValidation(Name, "spiffe://acme.test/admin");
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var logged = await _host.Logs.WaitForAsync("ForwardingHeadersDropped", e => LogSink.Property(e, "Headers")!.Contains(Name, StringComparison.Ordinal));

        logged.Level.Should().Be(Serilog.Events.LogEventLevel.Debug);
        LogSink.Property(logged, "RemoteIp").Should().Be("127.0.0.1");
        logged.RenderMessage().Should().NotContain("spiffe://acme.test/admin", "a header's value is never logged");
        _host.Logs.Named("ForwardingHeadersDropped").Where(e => LogSink.Property(e, "Headers")!.Contains(Name, StringComparison.Ordinal))
            .Should().ContainSingle("logged once per connection, not per request");
    }
}
