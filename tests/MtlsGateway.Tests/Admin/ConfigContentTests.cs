using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>
/// Issue 24, item 5: <c>/config</c> answers "what is running" — routes with policy and mode, policies with partners and
/// allowlists, trust stores with their CAs and CRLs, passthrough entries, the SNI names of each server certificate —
/// with nothing secret in it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ConfigContentTests : IAsyncLifetime
{
    private const string Password = "S3cret-Passw0rd-in-the-config";

    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync((config, _) =>
    {
        config["Gateway"]!["Passthrough"] = new JsonObject
        {
            ["legacy"] = new JsonObject { ["Hosts"] = new JsonArray("legacy.partner.test"), ["Destinations"] = new JsonArray("127.0.0.1:9") },
        };

        // Credentials an operator may put into the configuration: a backend's basic-auth user info and metadata.
        config["ReverseProxy"]!["Clusters"]!["vault"] = new JsonObject
        {
            ["Destinations"] = new JsonObject { ["a"] = new JsonObject { ["Address"] = $"http://svc:{Password}@127.0.0.1:9/" } },
            ["Metadata"] = new JsonObject { ["ApiKey"] = Password },
        };
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Config_ShowsRoutesPoliciesTrustStoresPassthroughAndServerCertificateHosts()
    {
        var (_, config) = await GetConfigAsync();

        var orders = config.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "orders");
        (orders.GetProperty("policy").GetString(), orders.GetProperty("mode").GetString(), orders.GetProperty("path").GetString(), orders.GetProperty("cluster").GetString())
            .Should().Be(("acme-orders", "Strict", "/orders/{**rest}", "echo"));
        Strings(orders.GetProperty("hosts")).Should().Equal("localhost");
        var strictHost = config.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "strict-host");
        strictHost.GetProperty("policy").GetString().Should().Be("acme-orders", "a route without a policy runs the default one");

        var allow = config.GetProperty("policies").GetProperty("acme-orders").GetProperty("partners").GetProperty("acme-orders").GetProperty("allow");
        Strings(allow.GetProperty("commonNames")).Should().Equal("acme-orders-client");
        Strings(allow.GetProperty("uris")).Should().Equal("spiffe://acme.test/orders/*");
        config.GetProperty("policies").GetProperty("open-status").GetProperty("invalidCertificate").GetString().Should().Be("Refuse");

        var store = config.GetProperty("trustStores").GetProperty("partners");
        store.GetProperty("revocation").GetString().Should().Be("Offline");
        Strings(store.GetProperty("caFiles")).Should().Equal("pki/partners-root.crt", "pki/partners-intermediate.crt");
        var root = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("partners-root.crt"));
        var listedRoot = store.GetProperty("cas").EnumerateArray().Single(c => c.GetProperty("sha256").GetString() == root.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        listedRoot.GetProperty("subject").GetString().Should().Contain("MtlsGateway Dev");
        listedRoot.GetProperty("notAfter").GetDateTimeOffset().Should().BeCloseTo(new DateTimeOffset(root.NotAfter.ToUniversalTime()), TimeSpan.FromSeconds(1));
        store.GetProperty("crls").EnumerateArray().Select(c => c.GetProperty("file").GetString()).Should().Equal("pki/partners.crl", "pki/partners-root.crl");
        store.GetProperty("crls")[0].GetProperty("nextUpdate").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow);

        var passthrough = config.GetProperty("passthrough").EnumerateArray().Should().ContainSingle().Subject;
        passthrough.GetProperty("name").GetString().Should().Be("legacy");
        Strings(passthrough.GetProperty("hosts")).Should().Equal("legacy.partner.test");
        Strings(passthrough.GetProperty("destinations")).Should().Equal("127.0.0.1:9");

        var server = config.GetProperty("serverCertificates").EnumerateArray().Should().ContainSingle().Subject;
        Strings(server.GetProperty("hosts")).Should().Equal("localhost", "*.partner.test");
        server.GetProperty("default").GetBoolean().Should().BeTrue();
        server.GetProperty("file").GetString().Should().Be(_host.Pki("server.crt"), "the file it was read from");
    }

    [Fact]
    public async Task Config_ShowsNoKeyMaterialAndNoCredentialFromTheConfiguration()
    {
        var (text, _) = await GetConfigAsync();

        text.Should().NotContain(Password).And.NotContain("PRIVATE KEY").And.NotContain("BEGIN");
        foreach (var keyFile in Directory.GetFiles(_host.Pki(""), "*.key"))
        {
            foreach (var line in File.ReadAllLines(keyFile).Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)))
            {
                text.Should().NotContain(line, $"{Path.GetFileName(keyFile)} must not leak");
            }
        }
    }

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());

    private async Task<(string Text, JsonElement Json)> GetConfigAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{_host.AdminPort}/config"));
        return (text, JsonDocument.Parse(text).RootElement.Clone());
    }
}
