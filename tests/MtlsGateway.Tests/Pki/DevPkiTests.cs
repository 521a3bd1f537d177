using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Pki;

/// <summary>
/// The development PKI judged by the tools users will point at it: openssl for chains, purposes,
/// host names and CRLs (at a fixed <c>-attime</c>, so the wall clock never matters), .NET for dates and keys.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class DevPkiTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] Pairs =
    [
        "partners-root", "partners-intermediate", "other-root", "server", "client", "client-expired",
        "client-not-yet-valid", "client-revoked", "client-other-ca", "client-no-clientauth", "client-spiffe",
    ];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtls-devpki-" + Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyList<string> _written;

    public DevPkiTests() => _written = DevPki.Write(_directory, Now);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Write_FreshDirectory_WritesEveryFileAndReturnsItsPath()
    {
        var expected = Pairs.SelectMany(name => new[] { name + ".crt", name + ".key" })
            .Concat(["partners.crl", "partners-root.crl", "README.md"]);

        _written.Select(Path.GetFileName).Should().BeEquivalentTo(expected);
        Directory.GetFiles(_directory).Should().BeEquivalentTo(_written);
    }

    [Theory]
    [InlineData("partners-intermediate.crt")]
    [InlineData("client.crt")] // the chain inside client.crt itself, as curl sends it with --cert
    public async Task Verify_GoodClientWithIntermediateFromFile_SucceedsForSslClient(string untrusted)
    {
        var result = await VerifyAsync("sslclient", "client.crt", "-untrusted", untrusted);

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("client.crt: OK");
    }

    [Theory]
    [InlineData("client.crt")]
    [InlineData("client-spiffe.crt")]
    public async Task VerifyWithCrls_AdmittedClient_Succeeds(string file)
    {
        var result = await VerifyClientWithCrlsAsync(file);

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain($"{file}: OK");
    }

    [Theory]
    [InlineData("client-other-ca.crt", "unable to get local issuer certificate")]
    [InlineData("client-expired.crt", "certificate has expired")]
    [InlineData("client-not-yet-valid.crt", "certificate is not yet valid")]
    [InlineData("client-revoked.crt", "certificate revoked")]
    [InlineData("client-no-clientauth.crt", "certificate purpose")]
    public async Task VerifyWithCrls_BadClient_FailsForItsReason(string file, string error)
    {
        var result = await VerifyClientWithCrlsAsync(file);

        result.ExitCode.Should().NotBe(0);
        result.Output.Should().Contain(error);
    }

    [Theory]
    [InlineData("partners.crl")]
    [InlineData("partners-root.crl")]
    public async Task Crl_SignedByPartnersCa_Verifies(string file)
    {
        await File.WriteAllTextAsync(
            PathOf("bundle.pem"), await File.ReadAllTextAsync(PathOf("partners-root.crt")) + await File.ReadAllTextAsync(PathOf("partners-intermediate.crt")));

        var result = await OpensslAsync("crl", "-in", file, "-CAfile", "bundle.pem", "-noout");

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().Contain("verify OK");
    }

    [Fact]
    public async Task Crl_Partners_ListsOnlyTheRevokedClientWithItsValidity()
    {
        using var revoked = LoadLeaf("client-revoked.crt");

        var result = await OpensslAsync("crl", "-in", "partners.crl", "-text", "-noout");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("Issuer: O = MtlsGateway Dev, CN = MtlsGateway Dev Partners Issuing CA")
            .And.Contain("Serial Number: " + revoked.SerialNumber)
            .And.Contain("Last Update: Mar 15 11:00:00 2025 GMT")
            .And.Contain("Next Update: Mar 15 12:00:00 2035 GMT");
        result.StandardOutput.Split("Serial Number:").Should().HaveCount(2, "exactly one certificate is revoked");
    }

    [Fact]
    public async Task Crl_Root_ListsNoRevocations()
    {
        var result = await OpensslAsync("crl", "-in", "partners-root.crl", "-text", "-noout");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("Issuer: O = MtlsGateway Dev, CN = MtlsGateway Dev Partners Root CA")
            .And.Contain("No Revoked Certificates.");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("api.partner.test")]
    [InlineData("partner.test")]
    public async Task Verify_ServerCertificateForItsHosts_SucceedsForSslServer(string host)
    {
        var result = await VerifyServerAsync(host);

        result.ExitCode.Should().Be(0, result.Output);
    }

    [Theory]
    [InlineData("api.other.test")]
    [InlineData("a.api.partner.test")]
    public async Task Verify_ServerCertificateForOtherHost_FailsHostnameMismatch(string host)
    {
        var result = await VerifyServerAsync(host);

        result.ExitCode.Should().NotBe(0);
        result.Output.Should().Contain("hostname mismatch");
    }

    [Theory]
    [InlineData("client-expired.crt", -2, -1)]
    [InlineData("client-not-yet-valid.crt", 5, 10)]
    public void Dates_TimeBoundClient_AreRelativeToNow(string file, int notBeforeYears, int notAfterYears)
    {
        using var leaf = LoadLeaf(file);

        leaf.NotBefore.ToUniversalTime().Should().Be(Now.AddYears(notBeforeYears).UtcDateTime);
        leaf.NotAfter.ToUniversalTime().Should().Be(Now.AddYears(notAfterYears).UtcDateTime);
    }

    [Theory]
    [InlineData("partners-root.crt")]
    [InlineData("partners-intermediate.crt")]
    [InlineData("other-root.crt")]
    [InlineData("server.crt")]
    [InlineData("client.crt")]
    public void Dates_LongLivedCertificate_ValidFromYesterdayForTenYears(string file)
    {
        using var leaf = LoadLeaf(file);

        leaf.NotBefore.ToUniversalTime().Should().Be(Now.AddDays(-1).UtcDateTime);
        leaf.NotAfter.ToUniversalTime().Should().Be(Now.AddYears(10).UtcDateTime);
    }

    [Theory]
    [InlineData("partners-root.crt", "CN=MtlsGateway Dev Partners Root CA, O=MtlsGateway Dev", "CN=MtlsGateway Dev Partners Root CA, O=MtlsGateway Dev")]
    [InlineData("partners-intermediate.crt", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev", "CN=MtlsGateway Dev Partners Root CA, O=MtlsGateway Dev")]
    [InlineData("other-root.crt", "CN=MtlsGateway Dev Other Root CA, O=MtlsGateway Dev", "CN=MtlsGateway Dev Other Root CA, O=MtlsGateway Dev")]
    [InlineData("server.crt", "CN=localhost, O=MtlsGateway Dev", "CN=MtlsGateway Dev Partners Root CA, O=MtlsGateway Dev")]
    [InlineData("client.crt", "CN=acme-orders-client, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    [InlineData("client-expired.crt", "CN=acme-expired-client, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    [InlineData("client-not-yet-valid.crt", "CN=acme-future-client, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    [InlineData("client-revoked.crt", "CN=acme-revoked-client, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    [InlineData("client-other-ca.crt", "CN=acme-orders-client, O=Acme", "CN=MtlsGateway Dev Other Root CA, O=MtlsGateway Dev")]
    [InlineData("client-no-clientauth.crt", "CN=acme-orders-client, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    [InlineData("client-spiffe.crt", "CN=acme-spiffe-workload, O=Acme", "CN=MtlsGateway Dev Partners Issuing CA, O=MtlsGateway Dev")]
    public void Names_Certificate_HasExpectedSubjectAndIssuer(string file, string subject, string issuer)
    {
        using var leaf = LoadLeaf(file);

        leaf.Subject.Should().Be(subject);
        leaf.Issuer.Should().Be(issuer);
    }

    [Theory]
    [InlineData("client.crt", "partners-intermediate.crt", 2)]
    [InlineData("client-spiffe.crt", "partners-intermediate.crt", 2)]
    [InlineData("client-other-ca.crt", "other-root.crt", 2)]
    [InlineData("server.crt", "partners-root.crt", 1)]
    public void Bundle_CertificateFile_HoldsLeafThenIssuingCa(string file, string issuerFile, int count)
    {
        using var leaf = LoadLeaf(file);
        using var intermediate = LoadLeaf(issuerFile);
        var bundle = LoadAll(file);
        try
        {
            bundle.Select(certificate => certificate.Thumbprint).Should()
                .Equal(new[] { leaf.Thumbprint, intermediate.Thumbprint }.Take(count));
        }
        finally
        {
            foreach (var certificate in bundle)
            {
                certificate.Dispose();
            }
        }
    }

    [Fact]
    public void Extensions_Intermediate_IsCaWithPathLengthZero()
    {
        using var leaf = LoadLeaf("partners-intermediate.crt");

        var constraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        constraints.CertificateAuthority.Should().BeTrue();
        constraints.HasPathLengthConstraint.Should().BeTrue();
        constraints.PathLengthConstraint.Should().Be(0);
    }

    [Theory]
    [InlineData("server.crt", Oids.ServerAuth)]
    [InlineData("client.crt", Oids.ClientAuth)]
    [InlineData("client-no-clientauth.crt", Oids.ServerAuth)]
    [InlineData("client-spiffe.crt", Oids.ClientAuth)]
    public void Extensions_Leaf_HasOnlyItsExtendedKeyUsage(string file, string usage)
    {
        using var leaf = LoadLeaf(file);

        var usages = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        usages.Cast<Oid>().Select(oid => oid.Value).Should().Equal(usage);
    }

    [Theory]
    [InlineData("client.crt", "DNS:orders.acme.test, URI:spiffe://acme.test/orders/client")]
    [InlineData("client-spiffe.crt", "URI:spiffe://acme.test/orders/worker-1")]
    [InlineData("server.crt", "DNS:localhost, DNS:*.partner.test, DNS:partner.test")]
    public async Task San_Certificate_ListsExactlyItsNames(string file, string names)
    {
        var result = await OpensslAsync("x509", "-in", file, "-noout", "-ext", "subjectAltName");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Should().Equal("X509v3 Subject Alternative Name:", names);
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void Keys_EveryPair_IsPkcs8P256MatchingItsCertificate(string name)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(PathOf(name + ".crt"), PathOf(name + ".key"));
        using var key = certificate.GetECDsaPrivateKey();
        using var publicKey = certificate.GetECDsaPublicKey();

        File.ReadAllText(PathOf(name + ".key")).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        key.Should().NotBeNull();
        key!.KeySize.Should().Be(256);
        byte[] data = [1, 2, 3];
        publicKey!.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256).Should().BeTrue();
    }

    [Fact]
    public void Keys_FreshWrite_AreOwnerReadWriteOnly() => AssertKeysOwnerOnly();

    [Fact]
    public void Write_OverWorldReadableFiles_OverwritesAndNarrowsKeys()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix mode bits to widen
        }

        var before = File.ReadAllText(PathOf("client.key"));
        File.SetUnixFileMode(
            PathOf("client.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        DevPki.Write(_directory, Now);

        File.ReadAllText(PathOf("client.key")).Should().NotBe(before, "every run draws new keys");
        AssertKeysOwnerOnly();
    }

    [Fact]
    public void Readme_Written_ExplainsDevOnlyAndRegeneration()
    {
        var readme = File.ReadAllText(PathOf("README.md"));

        readme.Should().Contain("mtls-gateway dev-certs --out certs-dev")
            .And.Contain("Development only")
            .And.Contain("valid until 2035-03-15");
        foreach (var name in Pairs)
        {
            readme.Should().Contain($"`{name}.crt`");
        }
    }

    public static TheoryData<string> PairNames() => [.. Pairs];

    private static string AtTime => Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private string PathOf(string file) => Path.Combine(_directory, file);

    /// <summary>The first certificate in a PEM file: the leaf of a bundle.</summary>
    private X509Certificate2 LoadLeaf(string file) => X509Certificate2.CreateFromPem(File.ReadAllText(PathOf(file)));

    private X509Certificate2Collection LoadAll(string file)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(PathOf(file));
        return collection;
    }

    private void AssertKeysOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix mode bits; the folder's ACL applies
        }

        foreach (var name in Pairs)
        {
            File.GetUnixFileMode(PathOf(name + ".key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, name);
        }
    }

    private Task<ProcessRunner.Result> OpensslAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("openssl", arguments, ToolTimeout, _directory);

    /// <summary><c>openssl verify</c> against the partners root at <see cref="Now"/>.</summary>
    private Task<ProcessRunner.Result> VerifyAsync(string purpose, string file, params string[] options) => OpensslAsync(
        ["verify", "-attime", AtTime, "-CAfile", "partners-root.crt", "-purpose", purpose, .. options, file]);

    private Task<ProcessRunner.Result> VerifyClientWithCrlsAsync(string file) => VerifyAsync(
        "sslclient", file,
        "-untrusted", "partners-intermediate.crt", "-crl_check_all", "-CRLfile", "partners.crl", "-CRLfile", "partners-root.crl");

    private Task<ProcessRunner.Result> VerifyServerAsync(string host) =>
        VerifyAsync("sslserver", "server.crt", "-verify_hostname", host);
}
