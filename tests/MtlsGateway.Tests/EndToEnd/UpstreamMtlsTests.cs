using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>mTLS from the gateway to its backends: the gateway presents its client certificate (with chain) and
/// trusts a backend only through the cluster's named trust store.</summary>
[Trait("Category", "EndToEnd")]
public sealed class UpstreamMtlsTests(UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private readonly GatewayTestHost _host = fixture.Host;

    [Fact]
    public async Task BackendRequiringClientCertificate_GatewayPresentsItsOwn_Is200()
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/secure");

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().Be(fixture.GatewayClient.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
            "the backend saw the gateway's certificate, chained through the intermediate the gateway sent");
    }

    [Fact]
    public async Task BackendRequiringClientCertificate_NoneConfigured_Is502()
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/nocert");

        await AssertBadGatewayAsync(response);
    }

    [Theory]
    [InlineData("untrusted", "backends")]
    [InlineData("osstore", "(operating system)")] // no Upstreams entry: the OS store decides
    public async Task BackendCertificateNotTrusted_Is502AndLoggedWithReason(string cluster, string trustStore)
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/" + cluster);

        await AssertBadGatewayAsync(response);
        var logged = await _host.Logs.WaitForAsync("UpstreamCertificateRejected", e => LogSink.Property(e, "Cluster") == cluster);
        LogSink.Property(logged, "Reason").Should().BeOneOf("UntrustedIssuer", "PartialChain");
        LogSink.Property(logged, "TrustStore").Should().Be(trustStore);
        LogSink.Property(logged, "UpstreamHost").Should().Be("localhost");
        LogSink.Property(logged, "CertSubject").Should().Be("CN=localhost");
        LogSink.Property(logged, "Hint").Should().Contain(cluster == "osstore" ? "operating system's trust store" : "does not verify against trust store 'backends'");
    }

    [Theory]
    [InlineData("aia", "backends-root")]
    [InlineData("aia-os", "(operating system)")]
    public async Task BackendCertificateNamingAnIssuerUrl_Is502WithoutFetchingIt(string cluster, string trustStore)
    {
        using var client = _host.CreateClient("localhost", "client");

        var response = await client.GetAsync("/" + cluster);

        await AssertBadGatewayAsync(response);
        var logged = await _host.Logs.WaitForAsync("UpstreamCertificateRejected", e => LogSink.Property(e, "Cluster") == cluster);
        LogSink.Property(logged, "Reason").Should().BeOneOf("PartialChain", "UntrustedIssuer");
        LogSink.Property(logged, "TrustStore").Should().Be(trustStore);
        // The verdict follows every chain build of the handshake: a fetch would already have connected.
        fixture.IssuerUrl.Pending().Should().BeFalse("the gateway must not connect to a URL a backend's certificate names");
    }

    private static async Task AssertBadGatewayAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(502);
    }
}
