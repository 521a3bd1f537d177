using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Identity;

/// <summary><c>Revocation: Online</c>: the gateway fetches the CRLs named in the certificates' distribution points,
/// here from a real HTTP server on loopback, verifies them with the issuer's key, caches and refreshes them.</summary>
[Trait("Category", "EndToEnd")]
public sealed class OnlineRevocationTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _pki = new();
    private readonly FakeTimeProvider _time;
    private readonly List<FetchedCrls> _fetchers = [];
    private CrlDistributionServer _server = null!;
    private IssuedCertificate _issuing = null!;

    public OnlineRevocationTests() => _time = new FakeTimeProvider(_pki.Now);

    public async Task InitializeAsync()
    {
        _server = await CrlDistributionServer.StartAsync();
        // The issuing CA's own status comes from the root's CRL at its distribution point too.
        _issuing = _pki.IssueCa("CN=Online Issuing CA, O=Test", _pki.Root, s => s with { CrlDistributionPoints = [_server.Url("root.crl")] });
        _server.Publish("root.crl", _pki.CreateCrl(_pki.Root));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        foreach (var fetcher in _fetchers)
        {
            fetcher.Dispose();
        }

        _pki.Dispose();
    }

    [Fact]
    public void FirstSight_FetchesOnce_GoodLeafValid_RevokedLeafRevoked_LaterSightsServedFromCache()
    {
        var good = Leaf("good", "issuing.crl");
        var revoked = Leaf("revoked", "issuing.crl");
        _server.Publish("issuing.crl", IssuingCrl(revoked));
        var verifier = new CertificateVerifier(Fetcher());
        var store = Store();

        var goodResult = verifier.Verify(good, null, store, _time.GetUtcNow());
        var revokedResult = verifier.Verify(revoked, null, store, _time.GetUtcNow());
        verifier.Verify(good, null, store, _time.GetUtcNow());

        goodResult.IsValid.Should().BeTrue(goodResult.Hint);
        revokedResult.Reason.Should().Be(RejectReason.Revoked);
        revokedResult.Hint.Should().Contain(_server.Url("issuing.crl"));
        _server.Requests.Should().Be(2, "one fetch of the issuing CA's CRL and one of the root's, whatever the number of certificates");
    }

    [Fact]
    public void DistributionPointUnreachable_IsRevocationUnknown_NamingTheUrl()
    {
        var dead = $"http://127.0.0.1:{RepositoryPaths.FreePort()}/issuing.crl";
        var leaf = _pki.IssueClient("unreachable", s => s with { CrlDistributionPoints = [dead] }, _issuing).PublicOnly();

        var result = new CertificateVerifier(Fetcher()).Verify(leaf, null, Store(), _time.GetUtcNow());

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain(dead);
    }

    [Fact]
    public void FirstUrlFails_SecondHttpUrlIsTried_LdapIgnored()
    {
        var leaf = _pki.IssueClient("second", s => s with
        {
            CrlDistributionPoints = ["ldap://ldap.example/cn=crl", _server.Url("missing.crl"), _server.Url("issuing.crl")],
        }, _issuing).PublicOnly();
        _server.Publish("issuing.crl", IssuingCrl(leaf));

        var result = new CertificateVerifier(Fetcher()).Verify(leaf, null, Store(), _time.GetUtcNow());

        result.Reason.Should().Be(RejectReason.Revoked);
        result.Hint.Should().Contain(_server.Url("issuing.crl"));
    }

    [Fact]
    public void OnlyLdapAndHttps_IsRevocationUnknown_HintSaysOnlyHttpIsFetched()
    {
        var leaf = _pki.IssueClient("ldap", s => s with { CrlDistributionPoints = ["ldap://ldap.example/cn=crl", "https://ca.example/issuing.crl"] }, _issuing).PublicOnly();

        var result = new CertificateVerifier(Fetcher()).Verify(leaf, null, Store(), _time.GetUtcNow());

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain("only http:// URLs are fetched").And.Contain("ldap://ldap.example/cn=crl").And.Contain("CrlFiles");
    }

    [Fact]
    public void CrlSignedByAnotherKey_IsRefused_RevocationUnknownNamingWhy()
    {
        using var impostor = TestPki.CreateRoot("CN=Online Issuing CA, O=Test", _pki.Now);
        var leaf = Leaf("forged-crl", "issuing.crl");
        _server.Publish("issuing.crl", _pki.CreateCrl(impostor));
        var reports = new List<CrlFetchReport>();
        var fetcher = Fetcher();
        fetcher.Fetched += reports.Add;

        var result = new CertificateVerifier(fetcher).Verify(leaf, null, Store(), _time.GetUtcNow());

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain(_server.Url("issuing.crl")).And.Contain("does not verify with the key of");
        reports.Should().Contain(r => r.Url == _server.Url("issuing.crl") && r.Result == "refused");
    }

    [Fact]
    public void HugeResponse_IsCutAtMaxCrlSize()
    {
        var leaf = Leaf("huge", "huge.crl");
        _server.Mode = CrlDistributionServer.Behaviour.Huge;
        var store = Store(maxCrlSize: 1024 * 1024);

        var result = new CertificateVerifier(Fetcher()).Verify(leaf, null, store, _time.GetUtcNow());

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        // "more than": the 200 MB came without a Content-Length, so the streaming read stopped at the cap. (What the
        // server managed to write is no measure: Kestrel may complete writes to a connection the client closed.)
        result.Hint.Should().Contain("the answer is more than 1048576 bytes, larger than MaxCrlSize 1048576");
    }

    [Fact]
    public async Task HungServer_FirstSightGivesUpAfterRevocationTimeout()
    {
        var leaf = Leaf("hung", "issuing.crl");
        _server.Mode = CrlDistributionServer.Behaviour.Hang;

        var verify = Task.Run(() => new CertificateVerifier(Fetcher()).Verify(leaf, null, Store(timeout: TimeSpan.FromSeconds(1)), _time.GetUtcNow()));

        var result = await verify.WaitAsync(TimeSpan.FromSeconds(20)); // the first sight waits at most RevocationTimeout

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain(_server.Url("issuing.crl"));
    }

    [Fact]
    public void UnverifiedChain_NeverMakesTheGatewayFetch()
    {
        using var foreignRoot = TestPki.CreateRoot("CN=Foreign Root, O=Evil", _pki.Now);
        var foreign = _pki.IssueClient("foreign", s => s with { CrlDistributionPoints = [_server.Url("issuing.crl")] }, foreignRoot).PublicOnly();
        var expired = _pki.IssueClient("expired", s => s with
        {
            NotBefore = _pki.Now.AddDays(-10), NotAfter = _pki.Now.AddDays(-5), CrlDistributionPoints = [_server.Url("issuing.crl")],
        }, _issuing).PublicOnly();
        var verifier = new CertificateVerifier(Fetcher());

        verifier.Verify(foreign, null, Store(), _time.GetUtcNow()).Reason.Should().Be(RejectReason.PartialChain);
        verifier.Verify(expired, null, Store(), _time.GetUtcNow()).Reason.Should().Be(RejectReason.Expired);

        _server.Requests.Should().Be(0);
    }

    [Fact]
    public async Task RefreshBeforeNextUpdate_ConditionalGet_ThenServedFromCacheWhileDown_UnknownAfterNextUpdate()
    {
        var leaf = Leaf("refresh", "issuing.crl");
        var thisUpdate = _pki.Now.AddMinutes(-10);
        _server.Publish("issuing.crl", _pki.CreateCrl(_issuing, thisUpdate: thisUpdate, nextUpdate: thisUpdate.AddHours(1)));
        var fetcher = Fetcher();
        var verifier = new CertificateVerifier(fetcher);
        var store = Store();
        verifier.Verify(leaf, null, store, _time.GetUtcNow()).IsValid.Should().BeTrue();
        var afterFirstSight = _server.Requests;

        _time.Advance(TimeSpan.FromMinutes(41)); // past 80 % of the CRL's hour, whatever the jitter
        await fetcher.RefreshDueAsync(_ => true, CancellationToken.None);
        var afterRefresh = _server.Requests;

        _server.Mode = CrlDistributionServer.Behaviour.Down;
        _time.Advance(TimeSpan.FromMinutes(9)); // 10 minutes before nextUpdate
        await fetcher.RefreshDueAsync(_ => true, CancellationToken.None);
        var whileDown = verifier.Verify(leaf, null, store, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(12)); // nextUpdate + ClockSkew (1 min) passed
        var afterNextUpdate = verifier.Verify(leaf, null, store, _time.GetUtcNow());

        afterRefresh.Should().BeGreaterThan(afterFirstSight);
        _server.NotModifiedAnswers.Should().BeGreaterThan(0, "the refresh asks with If-None-Match");
        whileDown.IsValid.Should().BeTrue(whileDown.Hint);
        afterNextUpdate.Reason.Should().Be(RejectReason.RevocationUnknown);
        afterNextUpdate.Hint.Should().Contain("expired at").And.Contain("HTTP 503");
    }

    [Fact]
    public void CacheFolder_SurvivesRestart_NoRefetch()
    {
        var leaf = Leaf("cached", "issuing.crl");
        var revoked = Leaf("cached-revoked", "issuing.crl");
        _server.Publish("issuing.crl", IssuingCrl(revoked));
        var folder = Path.Combine(_pki.Directory, "crl-cache");
        var store = Store(cacheFolder: folder);
        new CertificateVerifier(Fetcher()).Verify(leaf, null, store, _time.GetUtcNow()).IsValid.Should().BeTrue();
        var fetchedBeforeRestart = _server.Requests;

        _server.Mode = CrlDistributionServer.Behaviour.Down;
        var restarted = new CertificateVerifier(Fetcher());
        var good = restarted.Verify(leaf, null, store, _time.GetUtcNow());
        var bad = restarted.Verify(revoked, null, store, _time.GetUtcNow());

        good.IsValid.Should().BeTrue(good.Hint);
        bad.Reason.Should().Be(RejectReason.Revoked);
        _server.Requests.Should().Be(fetchedBeforeRestart);
        Directory.GetFiles(folder, "*.json").Should().HaveCount(2);
    }

    [Fact]
    public void CacheFolder_CorruptFile_IsIgnored_AndFetchedAgain()
    {
        var leaf = Leaf("corrupt", "issuing.crl");
        _server.Publish("issuing.crl", _pki.CreateCrl(_issuing));
        var folder = Path.Combine(_pki.Directory, "crl-cache");
        Directory.CreateDirectory(folder);
        File.WriteAllText(CrlCacheFolder.PathFor(folder, _server.Url("issuing.crl")), "{ not json");

        var result = new CertificateVerifier(Fetcher()).Verify(leaf, null, Store(cacheFolder: folder), _time.GetUtcNow());

        result.IsValid.Should().BeTrue(result.Hint);
        File.ReadAllText(CrlCacheFolder.PathFor(folder, _server.Url("issuing.crl"))).Should().Contain("\"crl\"");
    }

    private X509Certificate2 Leaf(string name, string crlPath) =>
        _pki.IssueClient(name, s => s with { CrlDistributionPoints = [_server.Url(crlPath)] }, _issuing).PublicOnly();

    private byte[] IssuingCrl(params X509Certificate2[] revoked) =>
        CertificateAuthority.CreateCrl(_issuing, revoked.Select(c => c.SerialNumberBytes.ToArray()), _pki.Now.AddHours(-1), _pki.Now.AddDays(7), System.Numerics.BigInteger.One);

    private FetchedCrls Fetcher()
    {
        var fetcher = new FetchedCrls(_time, NullLogger<FetchedCrls>.Instance);
        _fetchers.Add(fetcher);
        return fetcher;
    }

    private TrustStore Store(TimeSpan? timeout = null, string? cacheFolder = null, long maxCrlSize = 64L * 1024 * 1024) =>
        new("online", [_pki.Root.PublicOnly()], [_issuing.PublicOnly()], [], [], RevocationCheck.Online, RevocationFailureAction.Deny, TimeSpan.FromMinutes(1))
        {
            RevocationTimeout = timeout ?? TimeSpan.FromSeconds(5),
            CrlCacheFolder = cacheFolder,
            MaxCrlSize = maxCrlSize,
        };
}
