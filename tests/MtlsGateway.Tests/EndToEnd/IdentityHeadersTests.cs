using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Policies;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>What a real backend receives through the gateway: every identity header, exactly recoverable, and
/// forwarding headers set by the gateway rather than copied from the client.</summary>
[Trait("Category", "EndToEnd")]
public sealed class IdentityHeadersTests(IdentityHeadersFixture fixture) : IClassFixture<IdentityHeadersFixture>
{
    private readonly GatewayTestHost _host = fixture.Host;

    [Fact]
    public async Task StrictRoute_GoodCertificate_BackendGetsEveryPartOfIt()
    {
        using var client = _host.CreateClient("localhost", "client");
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("client.crt"));

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/orders/1"));

        var sha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();
        headers["X-Client-Cert-Verified"].Should().Be("SUCCESS");
        headers["X-Client-Cert-Policy"].Should().Be("acme-orders");
        headers["X-Client-Cert-Subject"].Should().Be("CN=acme-orders-client,O=Acme");
        Rfc4514.Value(headers["X-Client-Cert-Issuer"], "CN").Should().Be(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true));
        headers["X-Client-Cert-Serial"].Should().Be(certificate.SerialNumber);
        headers["X-Client-Cert-Sha256"].Should().Be(sha256);
        headers["X-Client-Cert-Not-After"].Should().Be(certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        headers["X-Client-Cert-Uri"].Should().Be("spiffe://acme.test/orders/client");
        headers.Should().NotContainKey("X-ARR-ClientCert", "it is off by default");
        var xfcc = XfccParser.Parse(headers["X-Forwarded-Client-Cert"]).Should().ContainSingle().Subject;
        XfccParser.Values(xfcc, "Hash").Should().Equal(sha256);
        XfccParser.Values(xfcc, "Subject").Should().Equal("CN=acme-orders-client,O=Acme");
        XfccParser.Values(xfcc, "URI").Should().Equal("spiffe://acme.test/orders/client");
        XfccParser.Values(xfcc, "Cert").Should().BeEmpty("the PEM is sent only when the policy asks for it");
    }

    [Fact]
    public async Task PermissiveRoute_HostileSubjectAndSans_BackendRecoversExactValues()
    {
        using var client = _host.CreateClient("localhost", "tricky");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/status"));

        headers.Should().NotContainKey("X-Injected", "a CR/LF in a certificate never starts a header");
        headers.Values.Should().AllSatisfy(v => v.Should().MatchRegex("^[\\x20-\\x7E]*$"));
        var xfcc = XfccParser.Parse(headers["X-Forwarded-Client-Cert"]).Should().ContainSingle().Subject;
        var subject = XfccParser.Values(xfcc, "Subject").Single();
        Rfc4514.Value(subject, "CN").Should().Be(TrickyCertificate.CommonName);
        Rfc4514.Value(subject, "O").Should().Be(TrickyCertificate.Organization);
        Rfc4514.Value(headers["X-Client-Cert-Subject"], "CN").Should().Be(TrickyCertificate.CommonName);
        XfccParser.Values(xfcc, "DNS").Select(Uri.UnescapeDataString).Should().Equal(TrickyCertificate.DnsNames);
        XfccParser.ParseList(headers["X-Client-Cert-Dns"]).Select(Uri.UnescapeDataString).Should().Equal(TrickyCertificate.DnsNames);
        XfccParser.Values(xfcc, "URI").Take(2).Should().Equal(TrickyCertificate.Uris.Take(2));
        XfccParser.ParseList(headers["X-Client-Cert-Uri"]).Take(2).Should().Equal(TrickyCertificate.Uris.Take(2));
        XfccParser.Values(xfcc, "URI")[2].Should().Be("https://x.test/\"q\"%0D%0AX-Injected: 1", "control characters are percent-encoded, nothing else");
    }

    [Fact]
    public async Task PolicyAsksForPemAndArr_BothCarryTheClientsCertificate()
    {
        using var client = _host.CreateClient("localhost", "client");
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("client.crt"));

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/full"));

        var xfcc = XfccParser.Parse(headers["X-Forwarded-Client-Cert"])[0];
        X509Certificate2.CreateFromPem(Uri.UnescapeDataString(XfccParser.Values(xfcc, "Cert").Single())).RawData.Should().Equal(certificate.RawData);
        Convert.FromBase64String(headers["X-ARR-ClientCert"]).Should().Equal(certificate.RawData);
        headers["X-Client-Cert-Policy"].Should().Be("full");
    }

    [Fact]
    public async Task RenamedPolicy_BackendSeesOnlyTheConfiguredNames()
    {
        using var client = _host.CreateClient("localhost", "client");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/renamed"));

        headers["X-Partner-Verified"].Should().Be("SUCCESS");
        headers["X-Partner-Subject"].Should().Be("CN=acme-orders-client,O=Acme");
        headers.Should().NotContainKeys("X-Client-Cert-Verified", "X-Client-Cert-Subject", "X-Forwarded-Client-Cert");
        headers["X-Client-Cert-Policy"].Should().Be("renamed");
    }

    [Theory]
    [InlineData("/status")]
    [InlineData("/append")] // the route's own transform says { "X-Forwarded": "Append" }
    public async Task ForwardingHeadersFromClient_AreReplacedByTheGatewaysOwn(string path)
    {
        using var client = _host.CreateClient("localhost", "client");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "gopher");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.test");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/evil");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Port", "666");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=6.6.6.6;proto=https;host=evil.test");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("Client-Cert", ":TUlJ:");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.SendAsync(request));

        // YARP 2.3.0's default X-Forwarded transforms (action Set) write these from the connection and request.
        headers["X-Forwarded-For"].Should().Be("127.0.0.1");
        headers["X-Forwarded-Proto"].Should().Be("https");
        headers["X-Forwarded-Host"].Should().Be($"localhost:{_host.Port()}");
        headers.Should().NotContainKeys("X-Forwarded-Prefix", "Forwarded", "X-Real-IP", "X-Forwarded-Port", "Client-Cert");
    }

    [Fact]
    public async Task Plaintext_PermissiveRoute_SaysVerifiedNoneAndThePolicy()
    {
        using var client = _host.CreateClient("localhost", certificate: null, listener: "plain");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/status"));

        headers["X-Client-Cert-Verified"].Should().Be("NONE");
        headers["X-Client-Cert-Policy"].Should().Be("open-status");
        headers["X-Forwarded-Proto"].Should().Be("http");
        headers.Should().NotContainKeys("X-Forwarded-Client-Cert", "X-Client-Cert-Subject");
    }

    [Fact]
    public async Task OneConnection_RoutesOfDifferentPolicies_EachGetTheirOwnHeaders()
    {
        using var client = _host.CreateClient("localhost", "client");

        var strict = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/orders/1"));
        var full = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/full"));
        var renamed = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/renamed"));
        var strictAgain = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/orders/2"));

        strict["X-Client-Cert-Policy"].Should().Be("acme-orders");
        strict.Should().NotContainKey("X-ARR-ClientCert");
        full["X-Client-Cert-Policy"].Should().Be("full");
        full.Should().ContainKey("X-ARR-ClientCert");
        renamed.Should().ContainKey("X-Partner-Subject").And.NotContainKey("X-Client-Cert-Subject");
        foreach (var name in new[] { "X-Forwarded-Client-Cert", "X-Client-Cert-Subject", "X-Client-Cert-Sha256", "X-Client-Cert-Policy" })
        {
            strictAgain[name].Should().Be(strict[name], "the connection's cached values are those computed the first time");
        }
    }

    [Fact]
    public async Task ConcurrentConnections_DifferentCertificates_EachRequestCarriesItsOwnIdentity()
    {
        // Connections presenting the same bytes share one copy of the certificate: none may ever see another's.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "client", "tricky" })
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(_host.Pki(name + ".crt"));
            expected[name] = certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();
        }

        var seen = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var name = i % 2 == 0 ? "client" : "tricky";
            using var client = _host.CreateClient("localhost", name);
            var hashes = new List<string>();
            for (var request = 0; request < 5; request++)
            {
                var headers = await IdentityHeadersFixture.EchoHeadersAsync(await client.GetAsync("/status"));
                hashes.Add(headers["X-Client-Cert-Sha256"]);
                XfccParser.Values(XfccParser.Parse(headers["X-Forwarded-Client-Cert"]).Single(), "Hash").Should().Equal(headers["X-Client-Cert-Sha256"]);
            }

            return (name, hashes);
        }));

        foreach (var (name, hashes) in seen)
        {
            hashes.Should().AllBe(expected[name], $"every request of a '{name}' connection carries that certificate");
        }
    }
}
