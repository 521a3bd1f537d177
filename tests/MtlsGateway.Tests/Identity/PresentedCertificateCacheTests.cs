using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class PresentedCertificateCacheTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Get_SameBytesAfterRemember_ReturnsOneSharedCopy()
    {
        var cache = new PresentedCertificateCache();
        var issued = _pki.IssueClient("acme-orders-client");
        var first = issued.PublicOnly();
        var second = issued.PublicOnly();

        var a = cache.Get(first, [first, _pki.Intermediate.PublicOnly()]);
        cache.Remember(a);
        var b = cache.Get(second, [second, _pki.Intermediate.PublicOnly()]);

        b.Should().BeSameAs(a);
        a.Leaf.Should().NotBeSameAs(first).And.NotBeSameAs(second);
        a.Identity.CommonName.Should().Be("acme-orders-client");
        a.Identity.Sha256.Should().Be(first.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        a.Chain.Should().ContainSingle().Which.Subject.Should().Be(_pki.Intermediate.Certificate.Subject, "the leaf is not part of the sent chain");
        a.ChainSha256.Should().Be(Fingerprints.ChainSha256(new X509Certificate2Collection(_pki.Intermediate.PublicOnly())));
        cache.Count.Should().Be(1);
    }

    [Fact]
    public void Get_NeverRemembered_EachHandshakeGetsItsOwnCopy()
    {
        var cache = new PresentedCertificateCache();
        var leaf = _pki.IssueClient().PublicOnly();

        var a = cache.Get(leaf, null);
        var b = cache.Get(leaf, null);

        b.Should().NotBeSameAs(a, "bytes nobody admitted are not kept beyond their connection");
        cache.Count.Should().Be(0);
    }

    [Fact]
    public void Evaluate_RefusedCertificate_IsNotKept_AdmittedOneIs()
    {
        var cache = new PresentedCertificateCache();
        var evaluator = new CertificatePolicyEvaluator(new VerificationCache(new FakeTimeProvider(DateTimeOffset.UtcNow)), cache);
        var policy = new GatewayPolicy("acme-orders", PolicyMode.Strict, _pki.Store(),
            new Allowlist(new AllowOptions { CommonNames = ["acme-orders-client"] }), new IdentityHeaderOptions());
        using var stranger = new TestPki();
        var foreign = stranger.IssueClient("acme-orders-client").PublicOnly();
        var partner = _pki.IssueClient("acme-orders-client").PublicOnly();

        evaluator.Evaluate(policy, cache.Get(foreign, [stranger.Intermediate.PublicOnly()])).Admitted.Should().BeFalse();
        cache.Count.Should().Be(0, "a refused certificate must not stay in memory");

        var admitted = cache.Get(partner, [_pki.Intermediate.PublicOnly()]);
        evaluator.Evaluate(policy, admitted).Admitted.Should().BeTrue();
        cache.Get(partner, [_pki.Intermediate.PublicOnly()]).Should().BeSameAs(admitted);
    }

    [Fact]
    public void Get_SameLeafWithAnotherSentChain_IsAnotherEntry()
    {
        var cache = new PresentedCertificateCache();
        var leaf = _pki.IssueClient().PublicOnly();

        var alone = cache.Get(leaf, null);
        cache.Remember(alone);
        var withIntermediate = cache.Get(leaf, [_pki.Intermediate.PublicOnly()]);

        withIntermediate.Should().NotBeSameAs(alone);
        alone.Chain.Should().BeEmpty();
        alone.ChainSha256.Should().BeEmpty();
        withIntermediate.ChainSha256.Should().NotBeEmpty();
        withIntermediate.Identity.Sha256.Should().Be(alone.Identity.Sha256);
    }

    [Fact]
    public void Get_HandshakeCertificateDisposedAfterwards_TheCopyStaysUsable()
    {
        var cache = new PresentedCertificateCache();
        var leaf = _pki.IssueClient("gone").PublicOnly();
        var intermediate = _pki.Intermediate.PublicOnly();
        var presented = cache.Get(leaf, [intermediate]);

        leaf.Dispose();
        intermediate.Dispose();

        presented.Leaf.Subject.Should().Contain("CN=gone");
        presented.Chain[0].Subject.Should().Be(_pki.Intermediate.Certificate.Subject);
    }

    [Theory]
    [InlineData(2, PresentedCertificateCache.DefaultByteCapacity)] // by entries
    [InlineData(PresentedCertificateCache.DefaultCapacity, 2000)] // by DER bytes: one certificate is ~500
    public void Remember_MoreThanCapacity_StaysBoundedAndCorrect(int capacity, long bytes)
    {
        var cache = new PresentedCertificateCache(capacity, bytes);

        foreach (var name in new[] { "a", "b", "c", "d", "e", "f", "g", "h" })
        {
            var presented = cache.Get(_pki.IssueClient(name).PublicOnly(), [_pki.Intermediate.PublicOnly()]);
            cache.Remember(presented);
            presented.Identity.CommonName.Should().Be(name);
        }

        cache.Count.Should().BeInRange(1, 4);
    }

    [Fact]
    public void Copy_WithoutCache_KeepsOnlyTheOtherCertificates()
    {
        var leaf = _pki.IssueClient().PublicOnly();

        var presented = PresentedCertificate.Copy(leaf, [leaf, _pki.Intermediate.PublicOnly()]);

        presented.Chain.Should().ContainSingle();
        presented.ChainSha256.Should().Be(Fingerprints.ChainSha256(new X509Certificate2Collection(_pki.Intermediate.PublicOnly())));
    }
}
