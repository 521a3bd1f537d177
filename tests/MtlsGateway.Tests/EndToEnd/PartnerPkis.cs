using System.Net.Security;
using System.Numerics;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Three partners with PKIs of their own, generated for the test, and the gateway configuration that serves them on
/// one route (issue 22): acme (its store holds its root only: clients send their issuing CA), globex (root, issuing CA
/// and CRLs, Offline revocation, one client revoked) and initech (root and issuing CA). Policy <c>orders</c> has all
/// three, on the Strict-only host orders.partner.test and under <c>/p/</c> on the mixed host localhost; policy
/// <c>billing</c> has acme and globex, on billing.partner.test.
/// </summary>
internal sealed class PartnerPkis : IDisposable
{
    public PartnerPkis()
    {
        Acme = new TestPki(name: "Acme");
        Globex = new TestPki(name: "Globex");
        Initech = new TestPki(name: "Initech");
        Stranger = new TestPki(name: "Umbrella");
        AcmeClient = Acme.IssueClient("acme-orders");
        AcmeBilling = Acme.IssueClient("acme-billing");
        GlobexClient = Globex.IssueClient("globex-orders", s => s with { Uris = ["spiffe://globex.test/orders/api"] });
        GlobexBilling = Globex.IssueClient("globex-billing");
        GlobexRevoked = Globex.IssueClient("globex-revoked", s => s with { Uris = ["spiffe://globex.test/orders/revoked"] });
        InitechClient = Initech.IssueClient("initech-orders", s => s with { DnsNames = ["api.initech.test"] });
        Impostor = Globex.IssueClient("acme-orders");
        Nobody = Globex.IssueClient("stranger");
        UnknownCa = Stranger.IssueClient("acme-orders");
        GlobexCrlPath = Globex.WriteCrl("intermediate.crl", Globex.Intermediate, [GlobexRevoked]);
    }

    public TestPki Acme { get; }

    public TestPki Globex { get; }

    public TestPki Initech { get; }

    /// <summary>A PKI no partner trusts.</summary>
    public TestPki Stranger { get; }

    public IssuedCertificate AcmeClient { get; }

    public IssuedCertificate AcmeBilling { get; }

    public IssuedCertificate GlobexClient { get; }

    public IssuedCertificate GlobexBilling { get; }

    public IssuedCertificate GlobexRevoked { get; }

    public IssuedCertificate InitechClient { get; }

    /// <summary>Issued by globex's CA with acme's name.</summary>
    public IssuedCertificate Impostor { get; }

    /// <summary>Issued by globex's CA with a name no partner lists.</summary>
    public IssuedCertificate Nobody { get; }

    /// <summary>Issued by a CA in no partner's store, with acme's name.</summary>
    public IssuedCertificate UnknownCa { get; }

    /// <summary>The CRL of globex's issuing CA (lists <see cref="GlobexRevoked"/>).</summary>
    public string GlobexCrlPath { get; }

    /// <summary>The PKI that issued <paramref name="certificate"/>.</summary>
    public TestPki PkiOf(IssuedCertificate certificate) =>
        new[] { Acme, Globex, Initech, Stranger }.First(p => p.Intermediate.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.Certificate.IssuerName.RawData));

    /// <summary>The certificate as a TLS client presents it: with its issuing CA.</summary>
    public SslStreamCertificateContext Context(IssuedCertificate certificate) =>
        SslStreamCertificateContext.Create(certificate.Certificate, [PkiOf(certificate).Intermediate.PublicOnly()], offline: true);

    /// <summary>Writes <paramref name="certificate"/> then its issuing CA as one PEM file (what <c>check --cert</c> reads).</summary>
    public string WriteClientPem(IssuedCertificate certificate, string fileName) =>
        PkiOf(certificate).WritePem(fileName, certificate, PkiOf(certificate).Intermediate);

    /// <summary>Replaces globex's issuing CA's CRL with one (numbered higher) that also lists <paramref name="revoked"/>.</summary>
    public string RevokeAtGlobex(params IssuedCertificate[] revoked)
    {
        var crl = CertificateAuthority.CreateCrl(Globex.Intermediate, revoked.Append(GlobexRevoked).Select(c => c.Certificate.SerialNumberBytes.ToArray()),
            Globex.Now.AddMinutes(-30), Globex.Now.AddDays(7), new BigInteger(2));
        return CertificateAuthority.CrlToPem(crl);
    }

    /// <summary>Adds the partners' trust stores, policies and routes to a <see cref="Support.GatewayTestHost.DefaultConfig"/>.</summary>
    public void Configure(JsonObject config)
    {
        var gateway = config["Gateway"]!;
        var stores = (JsonObject)gateway["TrustStores"]!;
        stores["acme"] = new JsonObject { ["CaFiles"] = new JsonArray(Acme.WritePem("root.pem", Acme.Root)), ["Revocation"] = "None" };
        stores["globex"] = new JsonObject
        {
            ["CaFiles"] = new JsonArray(Globex.WritePem("root.pem", Globex.Root), Globex.WritePem("intermediate.pem", Globex.Intermediate)),
            ["CrlFiles"] = new JsonArray(Globex.WriteCrl("root.crl", Globex.Root), GlobexCrlPath),
            ["Revocation"] = "Offline",
        };
        stores["initech"] = new JsonObject
        {
            ["CaFiles"] = new JsonArray(Initech.WritePem("root.pem", Initech.Root), Initech.WritePem("intermediate.pem", Initech.Intermediate)),
            ["Revocation"] = "None",
        };

        var policies = (JsonObject)gateway["Policies"]!;
        policies["orders"] = JsonNode.Parse("""
        {
          "Mode": "Strict",
          "Partners": {
            "acme":    { "TrustStore": "acme",    "Allow": { "CommonNames": [ "acme-orders" ] } },
            "globex":  { "TrustStore": "globex",  "Allow": { "Uris": [ "spiffe://globex.test/orders/*" ] } },
            "initech": { "TrustStore": "initech", "Allow": { "DnsNames": [ "*.initech.test" ] } }
          }
        }
        """);
        policies["billing"] = JsonNode.Parse("""
        {
          "Mode": "Strict",
          "Partners": {
            "acme":   { "TrustStore": "acme",   "Allow": { "CommonNames": [ "acme-billing" ] } },
            "globex": { "TrustStore": "globex", "Allow": { "CommonNames": [ "globex-billing" ] } }
          }
        }
        """);

        var routes = (JsonObject)config["ReverseProxy"]!["Routes"]!;
        routes["p-orders"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "orders", "Match": { "Hosts": [ "orders.partner.test" ], "Path": "/{**rest}" } }""");
        routes["p-mixed"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "orders", "Match": { "Hosts": [ "localhost" ], "Path": "/p/{**rest}" } }""");
        routes["p-billing"] = JsonNode.Parse("""{ "ClusterId": "echo", "AuthorizationPolicy": "billing", "Match": { "Hosts": [ "billing.partner.test" ], "Path": "/{**rest}" } }""");
    }

    public void Dispose()
    {
        Acme.Dispose();
        Globex.Dispose();
        Initech.Dispose();
        Stranger.Dispose();
    }
}
