using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.EndToEnd;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Configuration;

/// <summary><c>Partners</c> is validated like everything else (issue 22): each mistake with its path and what to do;
/// ambiguous allowlists are warnings <c>validate</c> prints; <c>check</c> says which partner admitted a certificate or
/// what each said.</summary>
[Trait("Category", "Unit")]
public sealed class PartnerConfigTests
{
    private static JsonObject Partner(string store, string? commonName = null) => new()
    {
        ["TrustStore"] = store,
        ["Allow"] = commonName is null ? new JsonObject() : new JsonObject { ["CommonNames"] = new JsonArray(commonName) },
    };

    /// <summary>Policy <c>orders</c> with partners acme (store partners) and globex (store other).</summary>
    private static void TwoPartners(JsonObject config, Action<JsonObject>? edit = null)
    {
        config["Gateway"]!["TrustStores"]!["other"] = new JsonObject { ["CaFiles"] = new JsonArray("pki/other-root.crt"), ["Revocation"] = "None" };
        var policy = new JsonObject
        {
            ["Mode"] = "Strict",
            ["Partners"] = new JsonObject { ["acme"] = Partner("partners", "acme-orders"), ["globex"] = Partner("other", "globex-orders") },
        };
        edit?.Invoke(policy);
        config["Gateway"]!["Policies"]!["orders"] = policy;
    }

    public static TheoryData<string, Action<JsonObject>, string, string> BadConfigs => new()
    {
        { "TrustStore and Partners", c => TwoPartners(c, p => p["TrustStore"] = "partners"),
            "Gateway:Policies:orders:TrustStore", "is set together with Partners; a policy has either TrustStore and Allow (one partner) or Partners" },
        { "Allow and Partners", c => TwoPartners(c, p => p["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("x") }),
            "Gateway:Policies:orders:Allow", "is set together with Partners; each partner has its own Allow" },
        { "unknown partner store", c => TwoPartners(c, p => p["Partners"]!["globex"]!["TrustStore"] = "globex"),
            "Gateway:Policies:orders:Partners:globex:TrustStore", "'globex' is not a trust store; known: other, partners" },
        { "partner without store", c => TwoPartners(c, p => p["Partners"]!["globex"] = new JsonObject { ["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("g") } }),
            "Gateway:Policies:orders:Partners:globex:TrustStore", "is missing; name the trust store that holds this partner's CAs only" },
        { "empty Partners", c => c["Gateway"]!["Policies"]!["orders"] = new JsonObject { ["Mode"] = "Strict", ["Partners"] = new JsonObject() },
            "Gateway:Policies:orders:TrustStore", "or list the policy's Partners" },
        { "partner name reused with another store", c =>
            {
                TwoPartners(c);
                c["Gateway"]!["Policies"]!["billing"] = new JsonObject
                {
                    ["Mode"] = "Strict",
                    ["Partners"] = new JsonObject { ["acme"] = Partner("other", "acme-billing"), ["initech"] = Partner("partners", "i") },
                };
            },
            "Gateway:Policies:orders:Partners:acme:TrustStore", "partner 'acme' is verified by trust store 'other' in policy 'billing' and by 'partners' here" },
        { "partner named like a single-store policy", c => TwoPartners(c, p => p["Partners"]!["open-status"] = Partner("other", "o")),
            "Gateway:Policies:orders:Partners:open-status:TrustStore", "partner 'open-status' is verified by trust store 'partners' in policy 'open-status' and by 'other' here" },
        { "partner name not a token", c => TwoPartners(c, p => p["Partners"]!["glo bex"] = Partner("other", "g")),
            "Gateway:Policies:orders:Partners:glo bex", "is not a usable partner name" },
        { "bad partner allowlist entry", c => TwoPartners(c, p => p["Partners"]!["globex"]!["Allow"] = new JsonObject { ["Sha256"] = new JsonArray("nope") }),
            "Gateway:Policies:orders:Partners:globex:Allow:Sha256:0", "is not a SHA-256 fingerprint" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Load_BadPartners_ReportsPathAndFix(string because, Action<JsonObject> edit, string path, string message)
    {
        using var folder = new ConfigFolder((config, _) => edit(config));

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message, because);
    }

    [Fact]
    public void Validate_TwoPartnersWithTheirOwnNames_IsValidWithoutWarnings()
    {
        using var folder = new ConfigFolder((config, _) => TwoPartners(config));
        using var output = new StringWriter();

        var exit = ValidateCommand.Execute(folder.ConfigPath, output);

        exit.Should().Be(0, output.ToString());
        output.ToString().Should().NotContain("overlaps");
    }

    public static TheoryData<string, JsonObject, JsonObject, string> Overlapping => new()
    {
        { "same CN", new JsonObject { ["CommonNames"] = new JsonArray("shared") }, new JsonObject { ["CommonNames"] = new JsonArray("shared") },
            "Gateway:Policies:orders:Partners:globex:Allow:CommonNames:0: 'shared' overlaps partner 'acme' Allow.CommonNames" },
        { "DNS wildcard over a name", new JsonObject { ["DnsNames"] = new JsonArray("*.acme.test") }, new JsonObject { ["DnsNames"] = new JsonArray("api.acme.test") },
            "Gateway:Policies:orders:Partners:globex:Allow:DnsNames:0: 'api.acme.test' overlaps partner 'acme' Allow.DnsNames" },
        { "URI below a pattern", new JsonObject { ["Uris"] = new JsonArray("spiffe://acme.test/orders/*") }, new JsonObject { ["Uris"] = new JsonArray("spiffe://acme.test/orders/api") },
            "Gateway:Policies:orders:Partners:globex:Allow:Uris:0: 'spiffe://acme.test/orders/api' overlaps partner 'acme' Allow.Uris" },
    };

    [Theory]
    [MemberData(nameof(Overlapping))]
    public void Validate_AnIdentityAllowedForTwoPartners_IsAWarningNamingBoth(string because, JsonObject acme, JsonObject globex, string warning)
    {
        using var folder = new ConfigFolder((config, _) => TwoPartners(config, p =>
        {
            p["Partners"]!["acme"]!["Allow"] = acme;
            p["Partners"]!["globex"]!["Allow"] = globex;
        }));
        using var output = new StringWriter();

        var exit = ValidateCommand.Execute(folder.ConfigPath, output);

        exit.Should().Be(0, "a warning does not refuse the configuration");
        output.ToString().Should().Contain("warning: " + warning, because);
    }

    [Fact]
    public void Check_SaysWhichPartnerAdmittedIt()
    {
        using var pkis = new PartnerPkis();
        using var folder = new ConfigFolder((config, _) => pkis.Configure(config));
        using var output = new StringWriter();

        var exit = CheckCommand.Execute(folder.ConfigPath, "orders", pkis.WriteClientPem(pkis.AcmeClient, "acme-client.pem"), null, null, output);

        exit.Should().Be(0, output.ToString());
        output.ToString().Should().Contain("policy: orders (Strict, partners acme (trust store acme), globex (trust store globex), initech (trust store initech))")
            .And.Contain("  partner acme (trust store acme): verified and allowed")
            .And.Contain("  partner globex (trust store globex): not tried: its trust store holds none of the certificate's issuers")
            .And.Contain("admitted as partner acme");
    }

    [Fact]
    public void Check_Impostor_SaysWhatEachPartnerSaid()
    {
        using var pkis = new PartnerPkis();
        using var folder = new ConfigFolder((config, _) => pkis.Configure(config));
        using var output = new StringWriter();

        var exit = CheckCommand.Execute(folder.ConfigPath, "orders", pkis.WriteClientPem(pkis.Impostor, "impostor.pem"), null, null, output);

        exit.Should().Be(1, output.ToString());
        output.ToString().Should().Contain("  partner acme (trust store acme): not tried: its trust store holds none of the certificate's issuers")
            .And.Contain("  partner globex (trust store globex): verified, not allowed: the certificate has no SAN URI to match partner 'globex' of policy 'orders' Allow.Uris")
            .And.Contain("  partner initech (trust store initech): not tried")
            .And.Contain("refused: NotAllowed")
            .And.Contain("allowed only for partner acme");
    }
}
