using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 25 item 1: a policy with <c>Identity:Rfc9440</c> sends <c>Client-Cert</c> (the leaf's DER as an RFC 8941 byte
/// sequence) and, when the client sent intermediates, <c>Client-Cert-Chain</c>, byte for byte what the client sent;
/// a client's own copies of these headers (any case, <c>_</c> for <c>-</c>, renamed) never reach the backend.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class Rfc9440HeadersTests(Rfc9440HeadersTests.Fixture fixture) : IClassFixture<Rfc9440HeadersTests.Fixture>
{
    private const string Forged = "FORGED";

    private static readonly (string Name, string Value)[] ForgedHeaders =
    [
        ("Client-Cert", $":{Forged}:"),
        ("client-cert", ":Rk9SR0VE:"),
        ("Client_Cert", $":{Forged}:"),
        ("CLIENT-CERT-CHAIN", ":Rk9SR0VE:"),
        ("Client_Cert_Chain", $":{Forged}:"),
        ("X-Partner-Cert", $":{Forged}:"),
        ("x_partner_cert_chain", $":{Forged}:"),
    ];

    private readonly GatewayTestHost _host = fixture.Host;

    public sealed class Fixture : IAsyncLifetime
    {
        internal GatewayTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync((config, _) =>
        {
            var policies = (JsonObject)config["Gateway"]!["Policies"]!;
            policies["rfc"] = JsonNode.Parse("""{ "Mode": "Permissive", "TrustStore": "partners", "Identity": { "Rfc9440": true } }""");
            policies["rfc-renamed"] = JsonNode.Parse("""
                { "Mode": "Permissive", "TrustStore": "partners",
                  "Identity": { "Rfc9440": true, "Names": { "ClientCert": "X-Partner-Cert", "ClientCertChain": "X-Partner-Cert-Chain" } } }
                """);
            var routes = (JsonObject)config["ReverseProxy"]!["Routes"]!;
            routes["rfc"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "rfc", "Match": { "Hosts": [ "localhost" ], "Path": "/rfc" } }""");
            routes["rfc-renamed"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "rfc-renamed", "Match": { "Hosts": [ "localhost" ], "Path": "/rfc-renamed" } }""");
        });

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task ClientCert_ClientSentIntermediate_LeafAndChainAreTheBytesItSent(string version)
    {
        var headers = await EchoAsync("/rfc", _host.ClientCertificate("client"), version);

        var sent = LoadPemChain(_host.Pki("client.crt"));
        sent.Should().HaveCount(2, "the dev PKI's client file holds the leaf and its issuing CA, and the client sends both");
        headers["Client-Cert"].Should().Be(":" + Convert.ToBase64String(sent[0].RawData) + ":");
        headers["Client-Cert-Chain"].Should().Be(":" + Convert.ToBase64String(sent[1].RawData) + ":");
        Decode(headers["Client-Cert"]).Should().Equal(sent[0].RawData, "an RFC 8941 byte sequence decodes to the DER");
    }

    [Fact]
    public async Task ClientCert_LeafOnly_NoChainHeader()
    {
        using var pki = new TestPkiDirectory(_host.Pki(string.Empty));
        // A certificate no connection has sent with its chain before; sent alone (the store holds the intermediate).
        var issued = pki.IssueClient("rfc-leaf-only", "CN=rfc-leaf-only, O=Acme");
        var leafOnly = SslStreamCertificateContext.Create(issued.TargetCertificate, [], offline: true);

        var headers = await EchoAsync("/rfc", leafOnly, "1.1");

        headers["Client-Cert"].Should().Be(":" + Convert.ToBase64String(issued.TargetCertificate.RawData) + ":");
        headers.Should().NotContainKey("Client-Cert-Chain", "RFC 9440: no chain header when the client sent only its certificate");
    }

    [Fact]
    public async Task ClientCert_CurlSendsIntermediateAndRoot_RenamedChainListsBothInTheOrderSent()
    {
        using var pki = new TestPkiDirectory(_host.Pki(string.Empty));
        var issued = pki.IssueClient("rfc-two", "CN=rfc-two, O=Acme");
        // curl (OpenSSL) sends every certificate of its --cert file; .NET's client would leave the self-signed root out.
        File.AppendAllText(_host.Pki("rfc-two.crt"), File.ReadAllText(_host.Pki("partners-root.crt")) + "\n");
        using var root = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("partners-root.crt"));
        using var intermediate = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("partners-intermediate.crt"));

        var response = await Hardening.CurlProbe.GetAsync(_host.Port(), "localhost", "/rfc-renamed", _host.Pki(string.Empty), "rfc-two", _host.Pki("partners-root.crt"));

        response.Status.Should().Be(200, response.Error);
        var headers = IdentityHeadersFixture.EchoHeaders(response.Body);
        headers["X-Partner-Cert"].Should().Be(":" + Convert.ToBase64String(issued.TargetCertificate.RawData) + ":");
        headers["X-Partner-Cert-Chain"].Should().Be(
            ":" + Convert.ToBase64String(intermediate.RawData) + ":, :" + Convert.ToBase64String(root.RawData) + ":");
        headers.Should().NotContainKeys("Client-Cert", "Client-Cert-Chain");
    }

    [Theory]
    [InlineData("raw-h1", "/rfc", "client")]
    [InlineData("raw-h1", "/rfc", null)]
    [InlineData("raw-h1", "/status", "client")]
    [InlineData("raw-h1", "/rfc-renamed", "client")]
    [InlineData("h2", "/rfc", "client")]
    [InlineData("h2", "/rfc", null)]
    [InlineData("h2", "/status", "client")]
    [InlineData("h2", "/rfc-renamed", "client")]
    public async Task ForgedRfc9440Headers_AnySpellingOrRoute_NeverReachTheBackend(string transport, string path, string? certificate)
    {
        string body;
        if (transport == "raw-h1")
        {
            (var status, body) = await SpoofingRawHttp.SendAsync(_host, "public", "localhost", path,
                ForgedHeaders.Select(h => $"{h.Name}: {h.Value}"), certificate is null ? null : _host.ClientCertificate(certificate));
            status.Should().Be(200, body);
        }
        else
        {
            using var client = _host.CreateClient("localhost", certificate, version: HttpVersion.Version20);
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            foreach (var (name, value) in ForgedHeaders)
            {
                request.Headers.TryAddWithoutValidation(name, value).Should().BeTrue(name);
            }

            using var response = await client.SendAsync(request);
            response.Version.Should().Be(HttpVersion.Version20);
            body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        }

        body.Should().NotContain(Forged).And.NotContain("Rk9SR0VE");
        var headers = IdentityHeadersFixture.EchoHeaders(body);
        headers.Keys.Should().NotContain(k => k.Contains('_', StringComparison.Ordinal));
        var leaf = LoadPemChain(_host.Pki("client.crt"))[0];
        var expected = ":" + Convert.ToBase64String(leaf.RawData) + ":";
        switch (path, certificate)
        {
            case ("/rfc", not null):
                headers["Client-Cert"].Should().Be(expected, "the gateway's one value");
                headers.Should().NotContainKeys("X-Partner-Cert", "X-Partner-Cert-Chain");
                break;
            case ("/rfc-renamed", not null):
                headers["X-Partner-Cert"].Should().Be(expected);
                headers.Should().NotContainKeys("Client-Cert", "Client-Cert-Chain");
                break;
            default:
                headers.Should().NotContainKeys("Client-Cert", "Client-Cert-Chain", "X-Partner-Cert", "X-Partner-Cert-Chain");
                break;
        }
    }

    private async Task<Dictionary<string, string>> EchoAsync(string path, SslStreamCertificateContext certificate, string version)
    {
        using var client = _host.CreateClientWith("localhost", certificate, version: Version.Parse(version));
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = client.DefaultRequestVersion, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request);
        response.Version.Should().Be(Version.Parse(version));
        return await IdentityHeadersFixture.EchoHeadersAsync(response);
    }

    private static X509Certificate2Collection LoadPemChain(string path)
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(path);
        return all;
    }

    private static byte[] Decode(string byteSequence)
    {
        byteSequence.Should().StartWith(":").And.EndWith(":");
        return Convert.FromBase64String(byteSequence[1..^1]);
    }
}
