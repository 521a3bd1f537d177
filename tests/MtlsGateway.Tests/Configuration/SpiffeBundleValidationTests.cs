using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity.Spiffe;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Configuration;

/// <summary><c>validate</c> on SpiffeBundles: every bad trust domain name and bundle file is an error at its path with
/// what to do, and a valid bundle is listed with its authorities, sequence, refresh hint and the keys it ignores.</summary>
[Trait("Category", "Unit")]
public sealed class SpiffeBundleValidationTests : IDisposable
{
    private const string EntryPath = "Gateway:TrustStores:mesh:SpiffeBundles";

    private readonly SpiffeTrustDomain _a = new("a.test");

    public void Dispose() => _a.Dispose();

    /// <summary>A config whose store "mesh" has SpiffeBundles { key: "spiffe/bundle.json" } with <paramref name="bundle"/> as the file.</summary>
    private static (int Code, string Output) Validate(string key, string? bundle)
    {
        using var folder = new ConfigFolder((config, directory) =>
        {
            if (bundle is not null)
            {
                Directory.CreateDirectory(Path.Combine(directory, "spiffe"));
                File.WriteAllText(Path.Combine(directory, "spiffe", "bundle.json"), bundle);
            }

            config["Gateway"]!["TrustStores"]!["mesh"] = new JsonObject
            {
                ["SpiffeBundles"] = new JsonObject { [key] = "spiffe/bundle.json" },
                ["Revocation"] = "None",
            };
        });
        var output = new StringWriter();
        var code = ValidateCommand.Execute(folder.ConfigPath, output);
        return (code, output.ToString());
    }

    public static TheoryData<string, string, string> BadBundles()
    {
        using var domain = new SpiffeTrustDomain("a.test");
        using var svid = CertificateAuthority.Issue(domain.Ca, new CertificateSpec { Subject = "CN=workload", NotBefore = domain.Now.AddHours(-1), NotAfter = domain.Now.AddDays(1) });
        return new()
        {
            { "malformed JSON", "{ \"keys\": [ { \"use\": ", "'spiffe/bundle.json' is not valid JSON (line 1" },
            { "not an object", "[]", "holds a JSON array, not an object" },
            { "no keys", "{ \"spiffe_sequence\": 1 }", "has no \"keys\" array" },
            { "only jwt-svid keys", SpiffeTrustDomain.Bundle(1, 300, jwtKeys: 2, []), "holds no x509-svid key (2 jwt-svid and 0 other key(s)" },
            { "x5c missing", "{ \"keys\": [ { \"use\": \"x509-svid\", \"kty\": \"EC\" } ] }", "keys[0] (use x509-svid) has no x5c array with the CA certificate" },
            { "x5c not base64", "{ \"keys\": [ { \"use\": \"x509-svid\", \"x5c\": [ \"-----BEGIN CERTIFICATE-----\" ] } ] }", "keys[0].x5c[0] is not a base64 string" },
            { "x5c not a certificate", "{ \"keys\": [ { \"use\": \"x509-svid\", \"x5c\": [ \"AAAA\" ] } ] }", "keys[0].x5c[0] is not a certificate" },
            { "x5c not a CA", SpiffeTrustDomain.Bundle(1, 300, 0, [svid.Certificate]), "keys[0].x5c[0] holds CN=workload, which is not a CA certificate (basic constraints CA=false)" },
            { "sequence not an integer", "{ \"spiffe_sequence\": \"7\", \"keys\": [] }", "spiffe_sequence must be an integer from 0" },
            { "refresh hint zero", "{ \"spiffe_refresh_hint\": 0, \"keys\": [] }", "spiffe_refresh_hint must be an integer from 1" },
            { "duplicate keys member", "{ \"keys\": [], \"keys\": [] }", "is not valid JSON" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBundles))]
    public void BadBundleFile_IsAnErrorAtItsEntry(string because, string bundle, string expected)
    {
        var (code, output) = Validate("a.test", bundle);

        code.Should().Be(1, because);
        output.Should().Contain($"{EntryPath}:a.test: 'spiffe/bundle.json' ").And.Contain(expected, because);
    }

    [Fact]
    public void MissingBundleFile_SaysWhereItWasLookedFor()
    {
        var (code, output) = Validate("a.test", bundle: null);

        code.Should().Be(1);
        output.Should().Contain($"{EntryPath}:a.test: file 'spiffe/bundle.json' does not exist (resolved to '");
    }

    [Theory]
    [InlineData("Acme.test", "has upper-case letters in trust domain 'Acme.test' (trust domains are lower case: 'acme.test')")]
    [InlineData("*.acme.test", "has a wildcard in trust domain '*.acme.test'")]
    [InlineData("spiffe://acme.test", "'spiffe://acme.test' is a SPIFFE ID or URL, not a trust domain name; use the name alone as the key: \"acme.test\"")]
    [InlineData("acme.test/orders", "has a path; a bundle belongs to a whole trust domain, so the key is the name alone: \"acme.test\"")]
    public void BadTrustDomainName_IsAnErrorAtItsEntry(string key, string expected)
    {
        var (code, output) = Validate(key, _a.BundleJson());

        code.Should().Be(1);
        output.Should().Contain($"{EntryPath}:{key}: ").And.Contain(expected);
    }

    [Fact]
    public void BundleEntryThatIsAnObject_SaysItMustBeTheFilesPath()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["TrustStores"]!["mesh"] = new JsonObject
        {
            ["SpiffeBundles"] = new JsonObject { ["a.test"] = new JsonObject { ["File"] = "spiffe/a.json" } },
        });
        var output = new StringWriter();

        var code = ValidateCommand.Execute(folder.ConfigPath, output);

        code.Should().Be(1);
        output.ToString().Should().Contain($"{EntryPath}:a.test:File: must be the path of the bundle file (a string), e.g. \"a.test\": \"bundles/a.test.json\"");
    }

    [Fact]
    public void ValidBundle_IsListedWithSequenceRefreshHintAndIgnoredJwtKeys()
    {
        var (code, output) = Validate("a.test", _a.BundleJson(sequence: 7, refreshHint: 300, jwtKeys: 1));

        code.Should().Be(0, output);
        output.Should().Contain("trust store 'mesh': SPIFFE bundle of trust domain 'a.test' from 'spiffe/bundle.json': 1 X.509 authority (CN=a.test SPIFFE CA,O=SPIFFE), spiffe_sequence 7, spiffe_refresh_hint 300 s, 1 jwt-svid key(s) ignored (the gateway verifies X509-SVIDs only)");
    }
}
