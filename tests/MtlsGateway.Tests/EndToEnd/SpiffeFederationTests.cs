using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity.Spiffe;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// SPIFFE federation over real TLS: a trust store "mesh" with the bundles of two trust domains (a.test, b.test) and no
/// CaFiles, behind a Strict-only host, so every refusal happens in the handshake. Each X509-SVID is verified against
/// its own trust domain's bundle only, with the X509-SVID rules, revocation and the store's CA names in the handshake.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SpiffeFederationTests : IAsyncLifetime, IDisposable
{
    private const string MeshHost = "mesh.partner.test";

    private readonly SpiffeTrustDomain _a = new("a.test");
    private readonly SpiffeTrustDomain _b = new("b.test");
    private readonly SpiffeTrustDomain _c = new("c.test");
    private IssuedCertificate _revoked = null!;
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _revoked = _a.IssueSvid("revoked");
        _host = await GatewayTestHost.StartAsync((config, directory) => Configure(config, directory, _a, _b, _revoked));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }

    /// <summary>Writes the bundles (a.test: sequence 7, refresh hint 300 s, one jwt-svid key) and both CAs' CRLs, and adds
    /// the mesh trust store, its Strict policy and a route on <see cref="MeshHost"/>.</summary>
    /// <param name="nextCa">A CA the test rotates a.test to later: its (empty) CRL is in CrlFiles from the start.</param>
    internal static void Configure(JsonObject config, string directory, SpiffeTrustDomain a, SpiffeTrustDomain b, IssuedCertificate? revoked = null, IssuedCertificate? nextCa = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, "spiffe")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.test.json"), a.BundleJson(sequence: 7, refreshHint: 300, jwtKeys: 1));
        File.WriteAllText(Path.Combine(folder, "b.test.json"), b.BundleJson(sequence: 1, refreshHint: null));
        var now = DateTimeOffset.UtcNow;
        File.WriteAllText(Path.Combine(folder, "a.crl"), CertificateAuthority.CrlToPem(CertificateAuthority.CreateCrl(
            a.Ca, revoked is null ? [] : [revoked.Certificate.SerialNumberBytes.ToArray()], now.AddHours(-1), now.AddDays(7), System.Numerics.BigInteger.One)));
        File.WriteAllText(Path.Combine(folder, "b.crl"), CertificateAuthority.CrlToPem(CertificateAuthority.CreateCrl(
            b.Ca, [], now.AddHours(-1), now.AddDays(7), System.Numerics.BigInteger.One)));

        var crls = new JsonArray("spiffe/a.crl", "spiffe/b.crl");
        if (nextCa is not null)
        {
            File.WriteAllText(Path.Combine(folder, "a-next.crl"), CertificateAuthority.CrlToPem(CertificateAuthority.CreateCrl(
                nextCa, [], now.AddHours(-1), now.AddDays(7), System.Numerics.BigInteger.One)));
            crls.Add("spiffe/a-next.crl");
        }

        var gateway = config["Gateway"]!;
        gateway["TrustStores"]!["mesh"] = new JsonObject
        {
            ["SpiffeBundles"] = new JsonObject { ["a.test"] = "spiffe/a.test.json", ["b.test"] = "spiffe/b.test.json" },
            ["CrlFiles"] = crls,
            ["Revocation"] = "Offline",
        };
        gateway["Policies"]!["mesh"] = new JsonObject { ["Mode"] = "Strict", ["TrustStore"] = "mesh" };
        config["ReverseProxy"]!["Routes"]!["mesh"] = new JsonObject
        {
            ["ClusterId"] = "echo",
            ["AuthorizationPolicy"] = "mesh",
            ["Match"] = new JsonObject { ["Hosts"] = new JsonArray(MeshHost), ["Path"] = "/{**rest}" },
        };
    }

    private async Task<Serilog.Events.LogEvent> RefusedAsync(IssuedCertificate svid)
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), MeshHost, SpiffeTrustDomain.Present(svid));
        outcome.Completed.Should().BeFalse();
        var sha256 = svid.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        return await _host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "CertSha256") == sha256);
    }

    [Theory]
    [InlineData("a.test")]
    [InlineData("b.test")]
    public async Task SvidsOfBothFederatedTrustDomains_ReachTheBackendWithTheirSpiffeId(string trustDomain)
    {
        var svid = (trustDomain == "a.test" ? _a : _b).IssueSvid("orders");
        using var client = _host.CreateClientWith(MeshHost, SpiffeTrustDomain.Present(svid));

        var response = await client.GetAsync("/anything");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var echoed = await response.Content.ReadAsStringAsync();
        echoed.Should().Contain("\"X-Client-Cert-Verified\": \"SUCCESS\"").And.Contain($"spiffe://{trustDomain}/orders");
    }

    [Fact]
    public async Task SvidOfATrustDomainWithoutBundle_IsRefusedUntrustedIssuer_NamingItAndTheBundledDomains()
    {
        var logged = await RefusedAsync(_c.IssueSvid("orders"));

        LogSink.Property(logged, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(logged, "Hint").Should().Contain("trust domain 'c.test', which has no bundle in trust store 'mesh' (SpiffeBundles: a.test, b.test)")
            .And.Contain("add \"c.test\": \"<its bundle file>\" to Gateway:TrustStores:mesh:SpiffeBundles");
    }

    [Fact]
    public async Task CaFlaggedSvid_IsRefusedWrongUsage()
    {
        var logged = await RefusedAsync(_a.IssueSvid("signer", s => s with { IsCertificateAuthority = true }));

        LogSink.Property(logged, "Reason").Should().Be("WrongUsage");
        LogSink.Property(logged, "Hint").Should().Contain("X509-SVID spiffe://a.test/signer").And.Contain("is a CA certificate (basic constraints CA=true); a leaf SVID must have CA=false");
    }

    [Fact]
    public async Task SvidWithTwoUriSans_IsRefusedWrongUsage()
    {
        var logged = await RefusedAsync(_a.IssueSvid("twice", s => s with { Uris = ["spiffe://a.test/twice", "https://twice.a.test/"] }));

        LogSink.Property(logged, "Reason").Should().Be("WrongUsage");
        LogSink.Property(logged, "Hint").Should().Contain("carries 2 URI SANs (spiffe://a.test/twice, https://twice.a.test/); an X509-SVID carries exactly one");
    }

    [Fact]
    public async Task SvidOfTrustDomainA_SignedByTrustDomainBsCa_IsRefusedUntrustedIssuer()
    {
        var logged = await RefusedAsync(_a.IssueSvid("impostor", issuer: _b.Ca));

        LogSink.Property(logged, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(logged, "Hint").Should().Contain("SPIFFE ID spiffe://a.test/impostor is in trust domain 'a.test' (bundle 'spiffe/a.test.json', sequence 7)")
            .And.Contain("its issuer CN=b.test SPIFFE CA,O=SPIFFE is a CA of the bundle of trust domain 'b.test'");
    }

    [Fact]
    public async Task SvidListedInItsTrustDomainCasCrl_IsRefusedRevoked()
    {
        var logged = await RefusedAsync(_revoked);

        LogSink.Property(logged, "Reason").Should().Be("Revoked");
        LogSink.Property(logged, "Hint").Should().Contain("revoked by CRL of CN=a.test SPIFFE CA,O=SPIFFE");
    }

    [Fact]
    public async Task CertificateWithoutSpiffeId_OnAStoreOfBundlesOnly_IsRefusedUntrustedIssuer()
    {
        using var pki = new TestPkiDirectory(_host.Pki(""));
        var plain = pki.IssueClient("plain", "CN=plain-client,O=Acme");

        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), MeshHost, plain);

        outcome.Completed.Should().BeFalse();
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "CertSubject") == "CN=plain-client,O=Acme");
        LogSink.Property(logged, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(logged, "Hint").Should().Contain("has no spiffe:// URI SAN, and trust store 'mesh' has no CaFiles: it trusts only the SPIFFE bundles of a.test, b.test");
    }

    [Fact]
    public async Task Handshake_AdvertisesTheBundlesCaNames()
    {
        var result = await ProcessRunner.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_host.Port()}", "-servername", MeshHost, "-CAfile", _host.Pki("partners-root.crt")],
            TimeSpan.FromSeconds(30));

        result.Output.Should().Contain("Acceptable client certificate CA names").And.Contain("a.test SPIFFE CA").And.Contain("b.test SPIFFE CA");
    }

    [Fact]
    public async Task ConfigEndpoint_ShowsEachBundlesSequenceAndRefreshHint()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{_host.AdminPort}/config"));
        var mesh = JsonDocument.Parse(text).RootElement.GetProperty("spiffeBundles").GetProperty("mesh");

        var a = mesh.GetProperty("a.test");
        a.GetProperty("file").GetString().Should().Be("spiffe/a.test.json");
        a.GetProperty("sequence").GetInt64().Should().Be(7);
        a.GetProperty("refreshHintSeconds").GetInt64().Should().Be(300);
        a.GetProperty("jwtSvidKeysIgnored").GetInt32().Should().Be(1);
        a.GetProperty("authorities")[0].GetProperty("subject").GetString().Should().Be("CN=a.test SPIFFE CA,O=SPIFFE");
        var b = mesh.GetProperty("b.test");
        b.GetProperty("sequence").GetInt64().Should().Be(1);
        b.GetProperty("refreshHintSeconds").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Metrics_ExportTheExpiryOfEachBundleAuthority()
    {
        var metrics = await MtlsGateway.Tests.Admin.PrometheusText.ScrapeAsync(_host.AdminPort);

        metrics.Named("mtls_gateway_certificate_expires_in_seconds")
            .Where(s => s.Labels["trust_store"] == "mesh")
            .Select(s => (s.Labels["kind"], s.Labels["subject"]))
            .Should().BeEquivalentTo([("spiffe", "CN=a.test SPIFFE CA,O=SPIFFE"), ("spiffe", "CN=b.test SPIFFE CA,O=SPIFFE")]);
    }

    [Fact]
    public void Check_SaysWhichBundleVerifiedTheSvid()
    {
        var svid = _a.IssueSvid("checked");
        var file = Path.Combine(_host.Directory, "checked.crt");
        File.WriteAllText(file, svid.CertificatePem);
        var output = new StringWriter();

        var code = CheckCommand.Execute(_host.ConfigPath, "mesh", file, null, null, output);

        code.Should().Be(0, output.ToString());
        output.ToString().Should().Contain("spiffe bundle: trust domain 'a.test' (bundle 'spiffe/a.test.json', sequence 7), 1 X.509 authority")
            .And.Contain("admitted");
    }

    [Fact]
    public void Check_OfAnSvidSignedByTheWrongTrustDomain_SaysWhichBundleItWasCheckedAgainst()
    {
        var svid = _b.IssueSvid("impostor", issuer: _a.Ca);
        var file = Path.Combine(_host.Directory, "impostor.crt");
        File.WriteAllText(file, svid.CertificatePem);
        var output = new StringWriter();

        var code = CheckCommand.Execute(_host.ConfigPath, "mesh", file, null, null, output);

        code.Should().Be(1, output.ToString());
        output.ToString().Should().Contain("spiffe bundle: trust domain 'b.test' (bundle 'spiffe/b.test.json', sequence 1)")
            .And.Contain("refused: UntrustedIssuer").And.Contain("is a CA of the bundle of trust domain 'a.test'");
    }
}
