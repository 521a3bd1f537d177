using MtlsGateway.Configuration;
using MtlsGateway.Policies;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Policies;

[Trait("Category", "Unit")]
public sealed class AllowlistTests
{
    private const string Sha = "4E740AB5D76036DFEA850AE3D87E43DA3C75CF7E2CCDCD03A58A5358D3A6A5BF";

    private static CertificateIdentity Identity(string? cn = "client", string[]? dns = null, string[]? uris = null, string sha = Sha) =>
        new(cn is null ? "O=Acme" : $"CN={cn},O=Acme", "CN=CA", cn, "01", sha, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, dns ?? [], uris ?? []);

    [Fact]
    public void Admits_EmptyAllow_AdmitsEverything()
    {
        var allow = new Allowlist(new AllowOptions());

        allow.AdmitsAll.Should().BeTrue();
        allow.Admits(Identity(cn: null)).Should().BeTrue();
    }

    [Theory]
    [InlineData("acme-orders-client", true)]
    [InlineData("ACME-orders-client", false)]
    [InlineData("acme-orders-client ", false)]
    [InlineData(null, false)]
    public void Admits_CommonName_IsExactAndOrdinal(string? cn, bool admitted) =>
        new Allowlist(new AllowOptions { CommonNames = ["acme-orders-client"] }).Admits(Identity(cn)).Should().Be(admitted);

    [Theory]
    [InlineData("*.acme.test", "a.acme.test", true)]
    [InlineData("*.acme.test", "A.ACME.Test", true)]
    [InlineData("*.acme.test", "acme.test", false)]
    [InlineData("*.acme.test", "a.b.acme.test", false)]
    [InlineData("*.acme.test", "aacme.test", false)]
    [InlineData("*.acme.test", ".acme.test", false)]
    [InlineData("orders.acme.test", "ORDERS.acme.test", true)]
    [InlineData("orders.acme.test", "x.orders.acme.test", false)]
    public void Admits_DnsName_WildcardIsExactlyOneLabel(string pattern, string name, bool admitted) =>
        new Allowlist(new AllowOptions { DnsNames = [pattern] }).Admits(Identity(dns: [name])).Should().Be(admitted);

    [Theory]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://acme.test/orders/x", true)]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://acme.test/orders/x/y", true)]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://acme.test/orders", false)]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://acme.test/orders/", false)]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://acme.test/ordersX", false)]
    [InlineData("spiffe://acme.test/orders/*", "spiffe://ACME.test/orders/x", false)]
    [InlineData("spiffe://acme.test/orders", "spiffe://acme.test/orders", true)]
    [InlineData("spiffe://acme.test/orders", "spiffe://acme.test/orders/x", false)]
    public void Admits_Uri_ExactOrStrictlyBelowPrefix(string pattern, string uri, bool admitted) =>
        new Allowlist(new AllowOptions { Uris = [pattern] }).Admits(Identity(uris: [uri])).Should().Be(admitted);

    [Theory]
    [InlineData("spiffe://acme.test/orders/x", true)]
    [InlineData("spiffe://acme.test/orders/a.b/..c", true)]
    [InlineData("spiffe://acme.test/orders/../admin", false)]
    [InlineData("spiffe://acme.test/orders/./x", false)]
    [InlineData("spiffe://acme.test/orders/%2e%2e/admin", false)]
    [InlineData("spiffe://acme.test/orders/%2E./admin", false)]
    [InlineData("spiffe://acme.test/orders/x/..", false)]
    [InlineData("spiffe://acme.test/orders/?admin=1", false)]
    [InlineData("spiffe://acme.test/orders/x#admin", false)]
    [InlineData("spiffe://acme.test/orders/x%2F..%2Fadmin", false)]
    [InlineData("spiffe://acme.test/orders/x\\..\\admin", false)]
    public void Admits_UriWithDotSegmentQueryOrFragment_MatchesNoPattern(string uri, bool admitted) =>
        new Allowlist(new AllowOptions { Uris = ["spiffe://acme.test/orders/*", uri] }).Admits(Identity(uris: [uri])).Should().Be(admitted,
            "an exact entry equal to the URI does not count either: Validate reports it");

    [Fact]
    public void DescribeMismatch_UriWithDotSegment_SaysWhyItMatchesNothing()
    {
        var allow = new Allowlist(new AllowOptions { Uris = ["spiffe://acme.test/orders/*"] });

        allow.DescribeMismatch(Identity(cn: null, uris: ["spiffe://acme.test/orders/../admin"]), "acme-orders").Should().Be(
            "SAN URI spiffe://acme.test/orders/../admin is not in policy 'acme-orders' Allow.Uris [spiffe://acme.test/orders/*] "
            + "(spiffe://acme.test/orders/../admin has a dot segment ('.' or '..', plain or percent-encoded) and matches no URI entry)");
    }

    [Fact]
    public void DescribeMismatch_BracesInACertificateName_StayLiteral() =>
        new Allowlist(new AllowOptions { Uris = ["spiffe://acme.test/orders/*"] })
            .DescribeMismatch(Identity(cn: null, uris: ["spiffe://x/{0}{"]), "p").Should().Contain("spiffe://x/{0}{ is not in policy 'p'");

    [Theory]
    [InlineData("spiffe://acme.test/orders/../*")]
    [InlineData("spiffe://acme.test/orders?x=1")]
    [InlineData("spiffe://acme.test/%2e%2e/orders")]
    public void Validate_UriPatternWithDotSegmentOrQuery_IsAnError(string pattern)
    {
        var errors = new List<ConfigError>();

        Allowlist.Validate(new AllowOptions { Uris = [pattern] }, "Gateway:Policies:p:Allow", errors);

        errors.Should().ContainSingle().Which.ToString().Should().Contain("Gateway:Policies:p:Allow:Uris:0").And.Contain("SPIFFE IDs never do");
    }

    [Fact]
    public void Admits_Sha256_IgnoresCaseAndColons()
    {
        var withColons = string.Join(':', Sha.Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var allow = new Allowlist(new AllowOptions { Sha256 = [withColons] });

        allow.Admits(Identity()).Should().BeTrue();
        allow.Admits(Identity(sha: Sha.ToLowerInvariant())).Should().BeTrue();
        allow.Admits(Identity(sha: new string('0', 64))).Should().BeFalse();
    }

    [Fact]
    public void Admits_KindsAreAlternatives_OneMatchingUriIsEnough()
    {
        var allow = new Allowlist(new AllowOptions { CommonNames = ["someone-else"], Uris = ["spiffe://acme.test/orders/*"] });

        allow.Admits(Identity(uris: ["spiffe://other/x", "spiffe://acme.test/orders/a"])).Should().BeTrue();
        allow.Admits(Identity(uris: ["spiffe://other/x"])).Should().BeFalse();
    }

    [Fact]
    public void DescribeMismatch_OneKind_NamesTheValueAndTheList()
    {
        var allow = new Allowlist(new AllowOptions { Uris = ["spiffe://acme.test/orders/*"] });

        allow.DescribeMismatch(Identity(uris: ["spiffe://x"]), "acme-orders")
            .Should().Be("SAN URI spiffe://x is not in policy 'acme-orders' Allow.Uris [spiffe://acme.test/orders/*]");
    }

    [Fact]
    public void DescribeMismatch_SeveralKinds_ListsEachWithWhatTheCertificateHas()
    {
        var allow = new Allowlist(new AllowOptions
        {
            CommonNames = ["acme-orders-client"],
            DnsNames = ["*.acme.test"],
            Sha256 = [Sha, Sha],
        });

        allow.DescribeMismatch(Identity(cn: "intruder", dns: ["a.evil.test", "b.evil.test"], sha: new string('0', 64)), "acme-orders")
            .Should().Be("certificate matches none of policy 'acme-orders' Allow: CN intruder is not in Allow.CommonNames [acme-orders-client]; "
                + "SAN DNS names [a.evil.test, b.evil.test] are not in Allow.DnsNames [*.acme.test]; "
                + $"SHA-256 {new string('0', 64)} is not in Allow.Sha256 (2 entries)");
    }

    [Fact]
    public void DescribeMismatch_NoNamesOfThatKind_SaysSo() =>
        new Allowlist(new AllowOptions { DnsNames = ["*.acme.test"] }).DescribeMismatch(Identity(), "p")
            .Should().Be("the certificate has no SAN DNS to match policy 'p' Allow.DnsNames [*.acme.test]");

    [Fact]
    public void Validate_WellFormedEntries_ReportNothing()
    {
        var errors = new List<ConfigError>();

        Allowlist.Validate(
            new AllowOptions { CommonNames = ["a"], DnsNames = ["*.acme.test", "x.test"], Uris = ["spiffe://acme.test/orders/*", "spiffe://acme.test/x"], Sha256 = [Sha] },
            "Gateway:Policies:p:Allow",
            errors);

        errors.Should().BeEmpty();
    }

    [Fact]
    public void Validate_MalformedEntries_ReportEachAtItsPath()
    {
        var errors = new List<ConfigError>();
        var options = new AllowOptions
        {
            CommonNames = ["ok", " "],
            DnsNames = ["*.acme.test", "a*.acme.test", "x.*.test", "*", "a..test"],
            Uris = ["spiffe://acme.test/*/x", "spiffe://acme.test/orders*", "not a uri", "spiffe://acme.test/ok/*"],
            Sha256 = ["nope"],
        };

        Allowlist.Validate(options, "Gateway:Policies:p:Allow", errors);

        errors.Select(e => e.Path).Should().Equal(
            "Gateway:Policies:p:Allow:CommonNames:1",
            "Gateway:Policies:p:Allow:DnsNames:1",
            "Gateway:Policies:p:Allow:DnsNames:2",
            "Gateway:Policies:p:Allow:DnsNames:3",
            "Gateway:Policies:p:Allow:DnsNames:4",
            "Gateway:Policies:p:Allow:Uris:0",
            "Gateway:Policies:p:Allow:Uris:1",
            "Gateway:Policies:p:Allow:Uris:2",
            "Gateway:Policies:p:Allow:Sha256:0");
        errors[1].Message.Should().Be("'a*.acme.test': '*' may only be the whole first label, as in '*.acme.test' (it matches exactly one label)");
        errors[5].Message.Should().Contain("only allowed as a final '/*'");
    }

    [Fact]
    public void Admits_MalformedPatterns_MatchNothing()
    {
        var allow = new Allowlist(new AllowOptions { DnsNames = ["a*.acme.test"], Uris = ["spiffe://acme.test/*/x"] });

        allow.Admits(Identity(dns: ["ab.acme.test", "a*.acme.test"], uris: ["spiffe://acme.test/*/x"])).Should().BeFalse();
    }
}
