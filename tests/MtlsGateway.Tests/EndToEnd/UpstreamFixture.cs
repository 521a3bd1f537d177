using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// A gateway in front of two HTTPS backends: one whose server certificate comes from the CA in the gateway's
/// <c>backends</c> trust store and which requires a client certificate from that PKI, and one whose server
/// certificate comes from a CA the gateway does not trust. Clusters: <c>secure</c> (client certificate and trust
/// store), <c>nocert</c> (trust store only), <c>untrusted</c> and <c>osstore</c> (no Upstreams entry). A third backend
/// sends its leaf alone, naming an issuer URL that is a listener here: clusters <c>aia</c> (a store holding only the
/// root) and <c>aia-os</c> (no Upstreams entry).
/// </summary>
public sealed class UpstreamFixture : IAsyncLifetime
{
    internal TestPki Pki { get; } = new();

    internal TestPki OtherPki { get; } = new();

    internal UpstreamBackend Trusted { get; private set; } = null!;

    internal UpstreamBackend Untrusted { get; private set; } = null!;

    internal UpstreamBackend Orphan { get; private set; } = null!;

    /// <summary>The URL the orphan backend's certificate names as its issuer: nothing may connect to it.</summary>
    internal TcpListener IssuerUrl { get; } = new(IPAddress.Loopback, 0);

    internal IssuedCertificate GatewayClient { get; private set; } = null!;

    internal GatewayTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        static CertificateSpec ServerSpec(CertificateSpec spec) => spec with { Subject = "CN=localhost", DnsNames = ["localhost"], ExtendedKeyUsages = [Oids.ServerAuth] };
        Trusted = await UpstreamBackend.StartAsync(Pki.IssueClient("localhost", ServerSpec), Pki.Intermediate.PublicOnly(), Pki.Root.PublicOnly());
        Untrusted = await UpstreamBackend.StartAsync(OtherPki.IssueClient("localhost", ServerSpec), OtherPki.Intermediate.PublicOnly(), clientRoot: null);
        IssuerUrl.Start();
        var issuerUrl = $"http://127.0.0.1:{((IPEndPoint)IssuerUrl.LocalEndpoint).Port}/issuer.cer";
        Orphan = await UpstreamBackend.StartAsync(
            Pki.IssueClient("localhost", spec => ServerSpec(spec) with { Extensions = [new X509AuthorityInformationAccessExtension(ocspUris: null, caIssuersUris: [issuerUrl])] }),
            serverIssuer: null, clientRoot: null);
        GatewayClient = Pki.IssueClient("gateway");
        var certificateFile = Pki.WriteText("gateway.crt", GatewayClient.CertificatePem + "\n" + Pki.Intermediate.CertificatePem + "\n");
        var keyFile = Pki.WriteText("gateway.key", GatewayClient.KeyPem);
        var caFiles = new JsonArray(Pki.WritePem("backends-root.pem", Pki.Root), Pki.WritePem("backends-intermediate.pem", Pki.Intermediate));

        Host = await GatewayTestHost.StartAsync((config, _) =>
        {
            config["Gateway"]!["TrustStores"]!["backends"] = new JsonObject { ["CaFiles"] = caFiles, ["Revocation"] = "None" };
            config["Gateway"]!["TrustStores"]!["backends-root"] = new JsonObject { ["CaFiles"] = new JsonArray(Pki.WritePem("root-only.pem", Pki.Root)), ["Revocation"] = "None" };
            config["Gateway"]!["Upstreams"] = JsonNode.Parse($$"""
                {
                  "secure": { "ClientCertificate": { "CertificateFile": "{{Escape(certificateFile)}}", "KeyFile": "{{Escape(keyFile)}}" }, "TrustStore": "backends" },
                  "nocert": { "TrustStore": "backends" },
                  "untrusted": { "ClientCertificate": { "CertificateFile": "{{Escape(certificateFile)}}", "KeyFile": "{{Escape(keyFile)}}" }, "TrustStore": "backends" },
                  "aia": { "TrustStore": "backends-root" }
                }
                """);
            var clusters = (JsonObject)config["ReverseProxy"]!["Clusters"]!;
            var routes = (JsonObject)config["ReverseProxy"]!["Routes"]!;
            foreach (var (name, port) in new[] { ("secure", Trusted.Port), ("nocert", Trusted.Port), ("untrusted", Untrusted.Port), ("osstore", Untrusted.Port), ("aia", Orphan.Port), ("aia-os", Orphan.Port) })
            {
                clusters[name] = JsonNode.Parse($$"""{ "Destinations": { "a": { "Address": "https://localhost:{{port}}/" } } }""");
                routes[name] = JsonNode.Parse($$"""{ "ClusterId": "{{name}}", "AuthorizationPolicy": "open-status", "Match": { "Hosts": [ "localhost" ], "Path": "/{{name}}" } }""");
            }
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Trusted.DisposeAsync();
        await Untrusted.DisposeAsync();
        await Orphan.DisposeAsync();
        IssuerUrl.Dispose();
        Pki.Dispose();
        OtherPki.Dispose();
    }

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);
}
