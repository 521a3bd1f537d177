using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity.Spiffe;

/// <summary>The X509-SVID rules on a certificate whose URI SAN claims a SPIFFE ID, in a trust store with the bundle of
/// its trust domain: a malformed ID or a leaf with signing powers is refused WrongUsage, whoever issued it.</summary>
[Trait("Category", "Unit")]
public sealed class X509SvidTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly SpiffeTrustDomain _a = new("a.test");
    private readonly CertificateVerifier _verifier = new();

    public void Dispose()
    {
        _a.Dispose();
        _pki.Dispose();
    }

    private TrustStore Store() => _pki.LoadStore(new TrustStoreOptions
    {
        SpiffeBundles = new() { ["a.test"] = _pki.WriteText("a.test.json", _a.BundleJson()) },
        Revocation = RevocationCheck.None,
    }, "mesh");

    private VerificationResult Verify(IssuedCertificate svid)
    {
        using var leaf = svid.PublicOnly();
        return _verifier.Verify(leaf, null, Store(), _a.Now);
    }

    [Theory]
    [InlineData("spiffe://A.test/orders", "has upper-case letters in trust domain 'A.test'")]
    [InlineData("spiffe://*.a.test/orders", "has a wildcard in trust domain '*.a.test'")]
    [InlineData("spiffe://a.test:8443/orders", "has ':' in trust domain 'a.test:8443'")]
    [InlineData("spiffe://user@a.test/orders", "has '@' in trust domain 'user@a.test'")]
    [InlineData("SPIFFE://a.test/orders", "does not start with 'spiffe://'")]
    [InlineData("spiffe:a.test/orders", "does not start with 'spiffe://'")]
    [InlineData("spiffe:///orders", "has no trust domain")]
    [InlineData("spiffe://a.test/orders/", "ends in '/'")]
    [InlineData("spiffe://a.test/orders//x", "has an empty path segment")]
    [InlineData("spiffe://a.test/orders/../admin", "has a '..' path segment")]
    [InlineData("spiffe://a.test/orders?x=1", "has '?' in its path")]
    public void MalformedSpiffeId_IsRefusedWrongUsage(string uri, string problem)
    {
        var svid = _a.IssueSvid("orders", s => s with { Uris = [], Extensions = [SpiffeTrustDomain.RawUriSan(uri)] });

        var result = Verify(svid);

        result.Reason.Should().Be(RejectReason.WrongUsage);
        result.Hint.Should().Contain($"URI SAN '{uri}' is not a valid SPIFFE ID: it {problem}");
    }

    [Theory]
    [InlineData(X509KeyUsageFlags.CrlSign, "has key usage cRLSign, which a leaf SVID must not have")]
    [InlineData(X509KeyUsageFlags.KeyCertSign, "has key usage keyCertSign, which a leaf SVID must not have")]
    public void SvidWithSigningKeyUsage_IsRefusedWrongUsage(X509KeyUsageFlags usage, string expected)
    {
        var svid = _a.IssueSvid("signer", s => s with { KeyUsage = X509KeyUsageFlags.DigitalSignature | usage });

        var result = Verify(svid);

        result.Reason.Should().Be(RejectReason.WrongUsage);
        result.Hint.Should().Contain("X509-SVID spiffe://a.test/signer").And.Contain(expected);
    }

    [Fact]
    public void WellFormedSvid_IsValid_AndNamesTheBundleThatVerifiedIt()
    {
        var result = Verify(_a.IssueSvid("orders"));

        result.IsValid.Should().BeTrue(result.Hint);
        result.SpiffeBundle!.TrustDomain.Should().Be("a.test");
        result.SpiffeBundle.Sequence.Should().Be(1);
    }
}
