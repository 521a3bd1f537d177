using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// The most common partner set-up: the store trusts the partner's root only, the client sends its issuing CA, and ops
/// hold both CAs' CRLs. Also the CRL binding cache and AllowPartialChain (a partner's issuing CA as the anchor).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PartnerPkiTrustTests : IDisposable
{
    private const string Store = "Gateway:TrustStores:partners";

    private readonly TestPki _pki = new();
    private readonly CertificateVerifier _verifier = new();

    public void Dispose() => _pki.Dispose();

    private VerificationResult Verify(IssuedCertificate leaf, TrustStore store, DateTimeOffset? at = null, params IssuedCertificate[] sent)
    {
        using var leafOnly = leaf.PublicOnly();
        var extra = sent.Length == 0 ? null : new X509Certificate2Collection(sent.Select(s => s.PublicOnly()).ToArray());
        return _verifier.Verify(leafOnly, extra, store, at ?? _pki.Now);
    }

    /// <summary>CaFiles: the root only. CrlFiles: the given CRL files.</summary>
    private TrustStoreOptions RootOnly(params string[] crlFiles) => new()
    {
        CaFiles = [_pki.WritePem("root.pem", _pki.Root)],
        CrlFiles = [.. crlFiles],
        Revocation = RevocationCheck.Offline,
    };

    private (TrustStore? Store, List<ConfigError> Errors) Load(TrustStoreOptions options)
    {
        var errors = new List<ConfigError>();
        return (TrustStoreLoader.Load("partners", options, _pki.Directory, errors), errors);
    }

    [Fact]
    public void RootOnly_CrlOfSentIntermediate_LoadsUnboundAndAdmitsGoodClient()
    {
        var store = _pki.LoadStore(RootOnly(_pki.WriteCrl("root.crl", _pki.Root), _pki.WriteCrl("issuing.crl", _pki.Intermediate)));

        var result = Verify(_pki.IssueClient(), store, null, _pki.Intermediate);

        result.IsValid.Should().BeTrue(result.Hint);
        store.Crls.Should().HaveCount(2);
        store.Crls[1].Signer.Should().BeNull("no CA of the store issued it: it waits for a presented issuer");
        result.Revocation.Select(e => (e.Issuer, Path.GetFileName(e.Source))).Should().Equal(
            (TestPki.IntermediateName, "issuing.crl"), (TestPki.RootName, "root.crl"));
    }

    [Fact]
    public void RootOnly_LeafRevokedBySentIntermediatesCrl_IsRevoked()
    {
        var leaf = _pki.IssueClient();
        var store = _pki.LoadStore(RootOnly(_pki.WriteCrl("root.crl", _pki.Root), _pki.WriteCrl("issuing.crl", _pki.Intermediate, [leaf])));

        var result = Verify(leaf, store, null, _pki.Intermediate);

        result.Reason.Should().Be(RejectReason.Revoked);
        // The CRL parser adds the entry's reason after the date.
        result.Hint.Should().StartWith($"serial {Fingerprints.Serial(leaf.Certificate.SerialNumber)} revoked by CRL of {TestPki.IntermediateName} on {Durations.Instant(_pki.Now.AddHours(-1))}");
    }

    [Fact]
    public void RootOnly_SentIntermediateRevokedByRoot_IsRevoked()
    {
        var store = _pki.LoadStore(RootOnly(_pki.WriteCrl("root.crl", _pki.Root, [_pki.Intermediate]), _pki.WriteCrl("issuing.crl", _pki.Intermediate)));

        var result = Verify(_pki.IssueClient(), store, null, _pki.Intermediate);

        result.Reason.Should().Be(RejectReason.Revoked);
        result.Hint.Should().StartWith($"issuing CA {TestPki.IntermediateName} (serial");
    }

    [Fact]
    public void RootOnly_IntermediatesCrlMissing_HintSaysWhatValidateThenAccepts()
    {
        var options = RootOnly(_pki.WriteCrl("root.crl", _pki.Root));
        var leaf = _pki.IssueClient();

        var result = Verify(leaf, _pki.LoadStore(options), null, _pki.Intermediate);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Be($"trust store 'partners' has no CRL of {TestPki.IntermediateName}; add that CA's CRL to CrlFiles (it need not be in CaFiles: a CRL of a CA the client sends is used once it verifies with that CA's key)");

        // Doing what the hint says loads and admits.
        options.CrlFiles.Add(_pki.WriteCrl("issuing.crl", _pki.Intermediate));
        var (fixedStore, errors) = Load(options);
        errors.Should().BeEmpty();
        Verify(leaf, fixedStore!, null, _pki.Intermediate).IsValid.Should().BeTrue();
    }

    [Fact]
    public void RootOnly_CrlUnderTheIntermediatesNameByAnotherKey_IsNotUsed()
    {
        using var impostor = TestPki.CreateRoot(TestPki.IntermediateName, _pki.Now);
        var store = _pki.LoadStore(RootOnly(_pki.WriteCrl("root.crl", _pki.Root), _pki.WriteCrl("forged.crl", impostor)));

        var result = Verify(_pki.IssueClient(), store, null, _pki.Intermediate);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().Contain($"names the CA the client sent, {TestPki.IntermediateName} but is not signed by that CA's key")
            .And.Contain("forged.crl");
        result.Revocation.Should().ContainSingle().Which.Issuer.Should().Be(TestPki.RootName);
    }

    [Fact]
    public void RootOnly_ForgedAndGenuineCrlOfTheIntermediate_GenuineDecides()
    {
        using var impostor = TestPki.CreateRoot(TestPki.IntermediateName, _pki.Now);
        var leaf = _pki.IssueClient();
        // The forged list is newer and does not list the leaf: were it used, the leaf would pass.
        var store = _pki.LoadStore(RootOnly(
            _pki.WriteCrl("root.crl", _pki.Root),
            _pki.WriteCrl("forged.crl", impostor, thisUpdate: _pki.Now.AddMinutes(-1)),
            _pki.WriteCrl("issuing.crl", _pki.Intermediate, [leaf])));

        Verify(leaf, store, null, _pki.Intermediate).Reason.Should().Be(RejectReason.Revoked);
    }

    [Fact]
    public void BindingCache_OneVerdictPerCrlAndIssuerKey()
    {
        var store = _pki.LoadStore(RootOnly(_pki.WriteCrl("root.crl", _pki.Root), _pki.WriteCrl("issuing.crl", _pki.Intermediate)));
        var sibling = _pki.IssueCa(TestPki.IntermediateName, _pki.Root); // same name, another key (a re-keyed CA)

        Verify(_pki.IssueClient(), store, null, _pki.Intermediate).IsValid.Should().BeTrue();
        Verify(_pki.IssueClient("second"), store, null, _pki.Intermediate).IsValid.Should().BeTrue();
        store.CrlBindingCount.Should().Be(1, "the bound root CRL needs no cache; the sent intermediate's key is checked once");

        Verify(_pki.IssueClient("third", issuer: sibling), store, null, sibling).Reason.Should().Be(RejectReason.RevocationUnknown);
        store.CrlBindingCount.Should().Be(2);
        store.FindCrl(_pki.Intermediate.Certificate)!.Signer!.Thumbprint.Should().Be(_pki.Intermediate.Certificate.Thumbprint);
        store.FindCrl(sibling.Certificate).Should().BeNull();
    }

    [Fact]
    public void CrlOfStoreCaByAnotherKey_IsStillAnError()
    {
        using var impostor = TestPki.CreateRoot(TestPki.RootName, _pki.Now);

        var (_, errors) = Load(RootOnly(_pki.WriteCrl("forged-root.crl", impostor)));

        errors.Should().ContainSingle().Which.Message.Should().Contain("is not signed by any CA in trust store 'partners'");
    }

    [Fact]
    public void MissingRootFile_IsReportedOnceWithoutFollowOnErrors()
    {
        var options = RootOnly(_pki.WriteCrl("root.crl", _pki.Root), _pki.WriteCrl("issuing.crl", _pki.Intermediate));
        options.CaFiles = [Path.Combine(_pki.Directory, "missing-root.pem"), _pki.WritePem("issuing.pem", _pki.Intermediate)];

        var (_, errors) = Load(options);

        errors.Should().ContainSingle().Which.Should().Match<ConfigError>(e => e.Path == $"{Store}:CaFiles:0" && e.Message.Contains("does not exist"));
    }

    [Fact]
    public void IntermediateOnlyWithoutAllowPartialChain_ErrorNamesTheSetting()
    {
        var (_, errors) = Load(new TrustStoreOptions { CaFiles = [_pki.WritePem("issuing.pem", _pki.Intermediate)], Revocation = RevocationCheck.None });

        errors.Should().ContainSingle().Which.Message.Should().EndWith("or set AllowPartialChain to true to make the CAs in CaFiles trust anchors themselves");
    }

    [Fact]
    public void AllowPartialChain_LeafOfAnchoredIntermediate_IsAdmittedAndAnchorNotRevocationChecked()
    {
        var store = _pki.LoadStore(PartialChain(_pki.WriteCrl("issuing.crl", _pki.Intermediate)));

        var result = Verify(_pki.IssueClient(), store);

        result.IsValid.Should().BeTrue(result.Hint);
        result.Revocation.Should().ContainSingle("the anchor's own revocation is not checked, so no root CRL is needed")
            .Which.Issuer.Should().Be(TestPki.IntermediateName);
    }

    [Fact]
    public void AllowPartialChain_LeafOfSiblingIntermediate_IsRefused()
    {
        var sibling = _pki.IssueCa("CN=Sibling Issuing CA, O=Test, C=US", _pki.Root);
        var store = _pki.LoadStore(PartialChain(_pki.WriteCrl("issuing.crl", _pki.Intermediate)));

        var result = Verify(_pki.IssueClient(issuer: sibling), store, null, sibling);

        result.IsValid.Should().BeFalse();
        result.Reason.Should().Be(RejectReason.PartialChain);
        result.Hint.Should().Contain(TestPki.RootName);
    }

    [Fact]
    public void AllowPartialChain_ExpiredAnchor_IsRefused()
    {
        var expiredAt = _pki.Now.AddDays(-2);
        var anchor = _pki.IssueCa("CN=Old Issuing CA, O=Test, C=US", _pki.Root, s => s with { NotBefore = expiredAt.AddYears(-1), NotAfter = expiredAt });
        var leaf = _pki.IssueClient(issuer: anchor, customize: s => s with { NotBefore = expiredAt.AddDays(-10), NotAfter = expiredAt });
        var options = PartialChain();
        options.CaFiles = [_pki.WritePem("old-issuing.pem", anchor)];

        var result = Verify(leaf, _pki.LoadStore(options), expiredAt.AddDays(-1));
        var late = Verify(_pki.IssueClient(issuer: anchor), _pki.LoadStore(options));

        result.IsValid.Should().BeTrue(result.Hint);
        late.Reason.Should().Be(RejectReason.Expired);
        late.Hint.Should().Contain("issuing CA CN=Old Issuing CA");
    }

    private TrustStoreOptions PartialChain(params string[] crlFiles) => new()
    {
        CaFiles = [_pki.WritePem("issuing.pem", _pki.Intermediate)],
        CrlFiles = [.. crlFiles],
        Revocation = crlFiles.Length == 0 ? RevocationCheck.None : RevocationCheck.Offline,
        AllowPartialChain = true,
    };
}
