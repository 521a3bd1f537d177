using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Policies;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// One gateway for the identity header tests: the default routes plus <c>/full</c> (XFCC with the PEM and
/// X-ARR-ClientCert), <c>/renamed</c> (renamed headers, no XFCC) and <c>/append</c> (a route whose X-Forwarded
/// transform Appends), and a client certificate with a hostile subject and SANs (<c>tricky</c>).
/// </summary>
public sealed class IdentityHeadersFixture : IAsyncLifetime
{
    internal GatewayTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync(Configure);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>The echo backend's view of the request headers, by name in any case.</summary>
    internal static async Task<Dictionary<string, string>> EchoHeadersAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"the request should reach the backend; got {(int)response.StatusCode}: {body}");
        return EchoHeaders(body);
    }

    internal static Dictionary<string, string> EchoHeaders(string echoJson)
    {
        using var document = JsonDocument.Parse(echoJson);
        return document.RootElement.GetProperty("headers").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
    }

    private static void Configure(JsonObject config, string directory)
    {
        var pki = Path.Combine(directory, "pki");
        using (var issuer = TestPkiDirectory.Load(pki, "partners-intermediate"))
        using (var tricky = TrickyCertificate.Issue(issuer))
        {
            // ExportCertificatePem ends without a newline; PEM readers need one between blocks.
            File.WriteAllText(Path.Combine(pki, "tricky.crt"), tricky.CertificatePem + "\n" + issuer.CertificatePem + "\n");
            File.WriteAllText(Path.Combine(pki, "tricky.key"), tricky.KeyPem);
        }

        var policies = (JsonObject)config["Gateway"]!["Policies"]!;
        policies["full"] = JsonNode.Parse("""{ "Mode": "Permissive", "TrustStore": "partners", "Identity": { "XfccCert": true, "ArrClientCert": true } }""");
        policies["renamed"] = JsonNode.Parse("""
            { "Mode": "Permissive", "TrustStore": "partners",
              "Identity": { "Xfcc": false, "Names": { "Subject": "X-Partner-Subject", "Verified": "X-Partner-Verified" } } }
            """);
        var routes = (JsonObject)config["ReverseProxy"]!["Routes"]!;
        routes["full"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "full", "Match": { "Hosts": [ "localhost" ], "Path": "/full" } }""");
        routes["renamed"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "renamed", "Match": { "Hosts": [ "localhost" ], "Path": "/renamed" } }""");
        routes["append"] = JsonNode.Parse("""
            { "ClusterId": "echo", "AuthorizationPolicy": "open-status", "Match": { "Hosts": [ "localhost" ], "Path": "/append" },
              "Transforms": [ { "X-Forwarded": "Append" } ] }
            """);
    }
}
