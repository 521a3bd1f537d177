using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// What a CRL says about a certificate beyond "listed or not" (RFC 5280 §5.2.5, §5.3.1, §6.3.3): the Issuing
/// Distribution Point's scope, removeFromCRL and certificateHold, a thisUpdate ahead of the clock, no nextUpdate.
/// Where cheap, <c>openssl verify -crl_check_all</c> is asked the same question and must agree.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CrlVerdictTests : IDisposable
{
    private const string ArlUri = "http://crl.partner.test/root.crl";
    private const string CrlUri = "http://crl.partner.test/issuing.crl";

    private readonly TestPki _pki = new();
    private readonly CertificateVerifier _verifier = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Verify_LeafWhoseIssuersOnlyCrlCoversCaCertificates_IsRevocationUnknown()
    {
        var leaf = _pki.IssueClient();
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, extensions: TestCrl.IssuingDistributionPoint(onlyCa: true)));

        var result = Verify(leaf, store);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Be($"CRL of {TestPki.IntermediateName} covers only CA certificates (Issuing Distribution Point onlyContainsCACerts); add the issuer's CRL for end-entity certificates to CrlFiles; it neither revokes nor clears client certificate CN=client,O=Partner,C=US");
        (await OpensslVerifyAsync(leaf)).Should().Contain("different CRL scope");
    }

    [Fact]
    public void Verify_IntermediateUnderARootCrlForCaCertificates_IsCleared()
    {
        var store = Store(rootCrl: Crl(_pki.Root, extensions: TestCrl.IssuingDistributionPoint(onlyCa: true)));

        Verify(_pki.IssueClient(), store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_IntermediateListedInARootCrlForCaCertificates_IsRevoked()
    {
        var store = Store(rootCrl: Crl(_pki.Root, [_pki.Intermediate], extensions: TestCrl.IssuingDistributionPoint(onlyCa: true)));

        Verify(_pki.IssueClient(), store).Reason.Should().Be(RejectReason.Revoked);
    }

    [Fact]
    public void Verify_LeafUnderACrlForEndEntities_IsCleared()
    {
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, extensions: TestCrl.IssuingDistributionPoint(onlyUser: true)));

        Verify(_pki.IssueClient(), store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_IntermediateWhoseRootsOnlyCrlCoversEndEntities_IsRevocationUnknown()
    {
        var store = Store(rootCrl: Crl(_pki.Root, [_pki.Intermediate], extensions: TestCrl.IssuingDistributionPoint(onlyUser: true)));

        var result = Verify(_pki.IssueClient(), store);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain($"CRL of {TestPki.RootName} covers only end-entity certificates (Issuing Distribution Point onlyContainsUserCerts)")
            .And.EndWith($"it neither revokes nor clears issuing CA {TestPki.IntermediateName}");
    }

    [Fact]
    public void Verify_CrlOfTheLeafsOwnDistributionPoint_Covers()
    {
        var leaf = _pki.IssueClient(customize: s => s with { CrlDistributionPoints = [CrlUri] });
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, [leaf], extensions: TestCrl.IssuingDistributionPoint(uris: [CrlUri])));

        Verify(leaf, store).Reason.Should().Be(RejectReason.Revoked);
    }

    [Fact]
    public void Verify_CrlOfAnotherDistributionPoint_DoesNotCover()
    {
        var leaf = _pki.IssueClient(customize: s => s with { CrlDistributionPoints = [CrlUri] });
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, [leaf], extensions: TestCrl.IssuingDistributionPoint(uris: [ArlUri])));

        var result = Verify(leaf, store);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain($"is the CRL of distribution point {ArlUri} (Issuing Distribution Point), which the certificate's CRL Distribution Points ({CrlUri}) do not name");
    }

    [Fact]
    public async Task Verify_LeafWithoutDistributionPointsUnderACrlNamingOne_IsRevocationUnknownAsInOpenssl()
    {
        var leaf = _pki.IssueClient();
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, extensions: TestCrl.IssuingDistributionPoint(uris: [CrlUri])));

        Verify(leaf, store).Hint.Should().Contain("which the certificate's CRL Distribution Points do not name (it has none)");
        (await OpensslVerifyAsync(leaf)).Should().Contain("different CRL scope");
    }

    [Fact]
    public async Task Verify_EntryWithReasonRemoveFromCrl_IsNotRevokedAsInOpenssl()
    {
        var leaf = _pki.IssueClient();
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, [leaf], X509RevocationReason.RemoveFromCrl));

        Verify(leaf, store).IsValid.Should().BeTrue();
        (await OpensslVerifyAsync(leaf)).Should().Contain(": OK");
    }

    [Fact]
    public async Task Verify_EntryOnCertificateHold_IsRevokedAsInOpenssl()
    {
        var leaf = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, [leaf], X509RevocationReason.CertificateHold));

        var result = Verify(leaf, store);

        result.Reason.Should().Be(RejectReason.Revoked);
        result.Hint.Should().EndWith("(reason certificateHold: on hold until the CA publishes a CRL that no longer lists it)");
        (await OpensslVerifyAsync(leaf)).Should().Contain("certificate revoked");
    }

    [Fact]
    public void Verify_CrlWhoseThisUpdateIsAheadOfTheClock_IsRevocationUnknown()
    {
        var thisUpdate = _pki.Now.AddMinutes(10);
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, thisUpdate: thisUpdate));

        var result = Verify(_pki.IssueClient(), store);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().StartWith($"CRL of {TestPki.IntermediateName} is not valid yet: its thisUpdate {Durations.Instant(thisUpdate)} is 10 minutes ahead of the gateway's clock, more than ClockSkew");
        Verify(_pki.IssueClient(), store, at: thisUpdate).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_CrlWhoseThisUpdateIsAheadWithinClockSkew_IsCurrent()
    {
        var store = Store(intermediateCrl: Crl(_pki.Intermediate, thisUpdate: _pki.Now.AddSeconds(30)));

        Verify(_pki.IssueClient(), store).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Verify_CrlWithoutNextUpdate_IsNeverStaleAsInOpenssl()
    {
        var leaf = _pki.IssueClient();
        var store = Store(intermediateCrl: TestCrl.Sign(_pki.Intermediate, _pki.Now.AddDays(-400), nextUpdate: null));

        Verify(leaf, store).IsValid.Should().BeTrue();
        (await OpensslVerifyAsync(leaf)).Should().Contain(": OK");
    }

    private byte[] Crl(
        IssuedCertificate issuer, IssuedCertificate[]? revoked = null, X509RevocationReason? reason = null, DateTimeOffset? thisUpdate = null, params TestCrl.Extension[] extensions) =>
        TestCrl.Sign(
            issuer,
            thisUpdate ?? _pki.Now.AddHours(-1),
            (thisUpdate ?? _pki.Now).AddDays(7),
            (revoked ?? []).Select(c => TestCrl.Revoking(c, _pki.Now.AddHours(-2), reason is { } r ? [TestCrl.ReasonCode(r)] : [])),
            extensions);

    private TrustStore Store(byte[]? rootCrl = null, byte[]? intermediateCrl = null) => _pki.Store(RevocationCheck.Offline, o =>
    {
        if (rootCrl is not null)
        {
            o.CrlFiles[0] = _pki.WriteBytes("root-custom.crl", rootCrl);
        }

        if (intermediateCrl is not null)
        {
            o.CrlFiles[1] = _pki.WriteBytes("intermediate-custom.crl", intermediateCrl);
        }
    });

    private VerificationResult Verify(IssuedCertificate leaf, TrustStore store, DateTimeOffset? at = null)
    {
        using var leafOnly = leaf.PublicOnly();
        return _verifier.Verify(leafOnly, null, store, at ?? _pki.Now);
    }

    /// <summary>
    /// <c>openssl verify -crl_check_all</c> of <paramref name="leaf"/> with the store's CA and CRL files (the last
    /// ones <see cref="Store"/> wrote), at the PKI's instant.
    /// </summary>
    private async Task<string> OpensslVerifyAsync(IssuedCertificate leaf)
    {
        string Crl(string custom, string standard) => File.Exists(Path.Combine(_pki.Directory, custom)) ? custom : standard;
        var pem = string.Concat(
            [.. new[] { "root.pem", "intermediate.pem" }.Select(f => File.ReadAllText(Path.Combine(_pki.Directory, f)) + "\n"),
             .. new[] { Crl("root-custom.crl", "root.crl"), Crl("intermediate-custom.crl", "intermediate.crl") }.Select(ToPem)]);
        var bundle = _pki.WriteText("openssl-bundle.pem", pem);
        var leafFile = _pki.WritePem("openssl-leaf.pem", leaf);
        var result = await ProcessRunner.RunAsync(
            "openssl",
            ["verify", "-crl_check_all", "-attime", _pki.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "-CAfile", bundle, leafFile],
            TimeSpan.FromSeconds(20));
        return result.Output;
    }

    private string ToPem(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(_pki.Directory, file));
        return (bytes[0] == 0x30 ? CertificateAuthority.CrlToPem(bytes) : System.Text.Encoding.ASCII.GetString(bytes)) + "\n";
    }
}
