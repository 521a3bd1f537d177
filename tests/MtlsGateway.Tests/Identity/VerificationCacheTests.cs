using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class VerificationCacheTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
    private readonly TestPki _pki;
    private readonly CountingVerifier _verifier = new();

    public VerificationCacheTests() => _pki = new TestPki(_time.GetUtcNow());

    public void Dispose() => _pki.Dispose();

    private VerificationCache Cache(TimeSpan? maxAge = null, int capacity = VerificationCache.DefaultCapacity) =>
        new(_verifier, _time, capacity, maxAge ?? TimeSpan.FromDays(1));

    [Fact]
    public void GetOrVerify_SameCertificateTwice_VerifiesOnce()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient().Certificate;
        var store = _pki.Store();

        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();
        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();

        _verifier.Calls.Should().Be(1);
    }

    [Fact]
    public void GetOrVerify_LeafExpiresWhileCached_IsReverifiedAsExpired()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient(customize: s => s with { NotAfter = _pki.Now.AddMinutes(10) }).Certificate;
        var store = _pki.Store(); // ClockSkew 1 minute
        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();

        _time.Advance(TimeSpan.FromMinutes(11) - TimeSpan.FromSeconds(1));
        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();
        _verifier.Calls.Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(2));
        cache.GetOrVerify(leaf, null, store).Reason.Should().Be(RejectReason.Expired);
        _verifier.Calls.Should().Be(2);
    }

    [Fact]
    public void GetOrVerify_NotYetValidLeaf_IsAdmittedOnceItsTimeComes()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient(customize: s => s with { NotBefore = _pki.Now.AddMinutes(10) }).Certificate;
        var store = _pki.Store();
        cache.GetOrVerify(leaf, null, store).Reason.Should().Be(RejectReason.NotYetValid);

        _time.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(1));

        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void GetOrVerify_CrlNextUpdatePasses_IsReverifiedAsRevocationUnknown()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient().Certificate;
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles[1] = _pki.WriteCrl("soon.crl", _pki.Intermediate, nextUpdate: _pki.Now.AddHours(1)));
        cache.GetOrVerify(leaf, null, store).IsValid.Should().BeTrue();

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        cache.GetOrVerify(leaf, null, store).Reason.Should().Be(RejectReason.RevocationUnknown);
    }

    [Fact]
    public void GetOrVerify_MaxAgePasses_Reverifies()
    {
        var cache = Cache(TimeSpan.FromMinutes(5));
        var leaf = _pki.IssueClient().Certificate;
        var store = _pki.Store();
        cache.GetOrVerify(leaf, null, store);

        _time.Advance(TimeSpan.FromMinutes(4));
        cache.GetOrVerify(leaf, null, store);
        _verifier.Calls.Should().Be(1);

        _time.Advance(TimeSpan.FromMinutes(1));
        cache.GetOrVerify(leaf, null, store);
        _verifier.Calls.Should().Be(2);
    }

    [Fact]
    public void GetOrVerify_StoreReloaded_MissesOnlyWhenContentChanged()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient().Certificate;
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        cache.GetOrVerify(leaf, null, _pki.LoadStore(options));

        cache.GetOrVerify(leaf, null, _pki.LoadStore(options));
        _verifier.Calls.Should().Be(1);

        options.CrlFiles[1] = _pki.WriteCrl("revoking.crl", _pki.Intermediate, [_pki.IssueClient("other")]);
        cache.GetOrVerify(leaf, null, _pki.LoadStore(options));
        _verifier.Calls.Should().Be(2);
    }

    [Fact]
    public void GetOrVerify_OtherPresentedChain_Misses()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient().Certificate;
        var store = _pki.Store();
        cache.GetOrVerify(leaf, null, store);

        cache.GetOrVerify(leaf, new X509Certificate2Collection(_pki.Intermediate.PublicOnly()), store);

        _verifier.Calls.Should().Be(2);
    }

    [Fact]
    public void GetOrVerify_PresentedCertificate_SharesTheEntryOfTheSameLeafAndChain()
    {
        var cache = Cache();
        var leaf = _pki.IssueClient().Certificate;
        var chain = new X509Certificate2Collection(_pki.Intermediate.PublicOnly());
        var store = _pki.Store();
        cache.GetOrVerify(PresentedCertificate.Copy(leaf, chain), store, out _).IsValid.Should().BeTrue();

        cache.GetOrVerify(leaf, chain, store).IsValid.Should().BeTrue();

        _verifier.Calls.Should().Be(1, "a handshake's verdict and `check`'s are the same entry");
    }

    [Fact]
    public void GetOrVerify_MoreCertificatesThanCapacity_StaysBounded()
    {
        var cache = Cache(capacity: 2);
        var store = _pki.Store();

        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            cache.GetOrVerify(_pki.IssueClient(name).Certificate, null, store);
        }

        cache.Count.Should().BeInRange(1, 2);
    }

    private sealed class CountingVerifier : ICertificateVerifier
    {
        private readonly CertificateVerifier _inner = new();
        private int _calls;

        public int Calls => _calls;

        public VerificationResult Verify(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset at)
        {
            Interlocked.Increment(ref _calls);
            return _inner.Verify(leaf, presentedExtra, store, at);
        }
    }
}
