using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

public sealed class PresentedCertificateCacheTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Get_SameBytesFromTwoHandshakes_ReturnsOneSharedCopy()
    {
        var cache = new PresentedCertificateCache();
        var issued = _pki.IssueClient("acme-orders-client");
        var first = issued.PublicOnly();
        var second = issued.PublicOnly();

        var a = cache.Get(first, [first, _pki.Intermediate.PublicOnly()]);
        var b = cache.Get(second, [second, _pki.Intermediate.PublicOnly()]);

        b.Should().BeSameAs(a);
        a.Leaf.Should().NotBeSameAs(first).And.NotBeSameAs(second);
        a.Identity.CommonName.Should().Be("acme-orders-client");
        a.Identity.Sha256.Should().Be(first.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        a.Chain.Should().ContainSingle().Which.Subject.Should().Be(_pki.Intermediate.Certificate.Subject, "the leaf is not part of the sent chain");
        cache.Count.Should().Be(1);
    }

    [Fact]
    public void Get_SameLeafWithAnotherSentChain_IsAnotherEntry()
    {
        var cache = new PresentedCertificateCache();
        var leaf = _pki.IssueClient().PublicOnly();

        var alone = cache.Get(leaf, null);
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

    [Fact]
    public void Get_MoreCertificatesThanCapacity_StaysBoundedAndCorrect()
    {
        var cache = new PresentedCertificateCache(capacity: 2);

        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            cache.Get(_pki.IssueClient(name).PublicOnly(), null).Identity.CommonName.Should().Be(name);
        }

        cache.Count.Should().BeInRange(1, 2);
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
