using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class CertificateVerifierTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly CertificateVerifier _verifier = new();

    public void Dispose() => _pki.Dispose();

    private VerificationResult Verify(IssuedCertificate leaf, TrustStore store, DateTimeOffset? at = null, params IssuedCertificate[] sent)
    {
        using var leafOnly = leaf.PublicOnly();
        var extra = sent.Length == 0 ? null : new X509Certificate2Collection(sent.Select(s => s.PublicOnly()).ToArray());
        return _verifier.Verify(leafOnly, extra, store, at ?? _pki.Now);
    }

    private static void ShouldReject(VerificationResult result, RejectReason reason, string hintFragment)
    {
        result.IsValid.Should().BeFalse();
        result.Reason.Should().Be(reason);
        result.Hint.Should().Contain(hintFragment);
    }

    [Fact]
    public void Verify_LeafOnlyWithIntermediateInStore_IsValid()
    {
        var result = Verify(_pki.IssueClient(), _pki.Store());

        result.Should().Be(VerificationResult.Valid);
    }

    [Fact]
    public void Verify_IntermediateSentByClientAndOnlyRootInStore_IsValid()
    {
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("only-root.pem", _pki.Root)]);

        var result = Verify(_pki.IssueClient(), store, null, _pki.Intermediate);

        result.IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_ExpiredLeaf_ReturnsExpired()
    {
        var notAfter = _pki.Now.AddDays(-3);
        var leaf = _pki.IssueClient(customize: s => s with { NotBefore = notAfter.AddDays(-30), NotAfter = notAfter });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.Expired, $"expired 3 days ago (NotAfter {Durations.Instant(notAfter)})");
        result.ChainStatus.Should().Be("NotTimeValid");
    }

    [Fact]
    public void Verify_LeafValidInFourMinutes_ReturnsNotYetValidBlamingClocks()
    {
        var notBefore = _pki.Now.AddMinutes(4).AddSeconds(30);
        var leaf = _pki.IssueClient(customize: s => s with { NotBefore = notBefore });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.NotYetValid, $"not valid until {Durations.Instant(notBefore)}, 4 minutes from now; the client's clock or the issuing CA's clock is probably wrong");
    }

    [Fact]
    public void Verify_LeafValidNextMonth_ReturnsNotYetValidIssuedForLater()
    {
        var leaf = _pki.IssueClient(customize: s => s with { NotBefore = _pki.Now.AddDays(30), NotAfter = _pki.Now.AddDays(60) });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.NotYetValid, "30 days from now; it was issued for later use");
    }

    [Theory]
    [InlineData(-50, true)]   // expired 50 s ago, skew 60 s
    [InlineData(-70, false)]
    [InlineData(50, true)]    // valid from 50 s ahead
    [InlineData(70, false)]
    public void Verify_ClockSkew_WidensBothEnds(int secondsPastEdge, bool admitted)
    {
        var leaf = secondsPastEdge < 0
            ? _pki.IssueClient(customize: s => s with { NotAfter = _pki.Now.AddSeconds(secondsPastEdge) })
            : _pki.IssueClient(customize: s => s with { NotBefore = _pki.Now.AddSeconds(secondsPastEdge) });

        var result = Verify(leaf, _pki.Store(customize: o => o.ClockSkew = TimeSpan.FromMinutes(1)));

        result.IsValid.Should().Be(admitted);
        if (!admitted)
        {
            result.Reason.Should().Be(secondsPastEdge < 0 ? RejectReason.Expired : RejectReason.NotYetValid);
        }
    }

    [Fact]
    public void Verify_ZeroSkewAndLeafExpiredASecondAgo_ReturnsExpired()
    {
        var leaf = _pki.IssueClient(customize: s => s with { NotAfter = _pki.Now.AddSeconds(-1) });

        var result = Verify(leaf, _pki.Store(customize: o => o.ClockSkew = TimeSpan.Zero));

        result.Reason.Should().Be(RejectReason.Expired);
    }

    [Fact]
    public void Verify_ExpiredIntermediate_ReturnsExpiredNamingTheCa()
    {
        var intermediate = _pki.IssueCa("CN=Old Issuing CA", _pki.Root, s => s with { NotBefore = _pki.Now.AddYears(-2), NotAfter = _pki.Now.AddDays(-2) });
        var leaf = _pki.IssueClient(customize: s => s with { NotBefore = _pki.Now.AddYears(-1) }, issuer: intermediate);

        var result = Verify(leaf, _pki.Store(), null, intermediate);

        ShouldReject(result, RejectReason.Expired, "issuing CA CN=Old Issuing CA expired 2 days ago");
    }

    [Fact]
    public void Verify_LeafFromOtherRootSentWithThatRoot_ReturnsUntrustedIssuer()
    {
        var otherRoot = _pki.Own(TestPki.CreateRoot("CN=Other Root", _pki.Now));
        var leaf = _pki.IssueClient(issuer: otherRoot);

        var result = Verify(leaf, _pki.Store(), null, otherRoot);

        ShouldReject(result, RejectReason.UntrustedIssuer, "issuer CN=Other Root is not in trust store 'partners'; add it to CaFiles");
        result.ChainStatus.Should().Be("UntrustedRoot");
    }

    [Fact]
    public void Verify_LeafFromOtherRootSentAlone_ReturnsPartialChainNamingTheUnknownIssuer()
    {
        var otherRoot = _pki.Own(TestPki.CreateRoot("CN=Other Root", _pki.Now));

        var result = Verify(_pki.IssueClient(issuer: otherRoot), _pki.Store());

        ShouldReject(result, RejectReason.PartialChain, "issuer CN=Other Root was not sent by the client nor found in trust store 'partners'");
    }

    [Fact]
    public void Verify_SelfSignedLeaf_ReturnsUntrustedIssuer()
    {
        var leaf = _pki.Own(CertificateAuthority.CreateSelfSigned(new CertificateSpec
        {
            Subject = "CN=self",
            NotBefore = _pki.Now.AddDays(-1),
            NotAfter = _pki.Now.AddDays(1),
        }));

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.UntrustedIssuer, "certificate CN=self is self-signed");
    }

    [Fact]
    public void Verify_IntermediateNeitherSentNorInStore_ReturnsPartialChain()
    {
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("only-root.pem", _pki.Root)]);

        var result = Verify(_pki.IssueClient(), store);

        ShouldReject(result, RejectReason.PartialChain, $"issuer {TestPki.IntermediateName} was not sent by the client nor found in trust store 'partners'; if it is an intermediate of a trusted CA add it to CaFiles");
        result.ChainStatus.Should().Be("PartialChain");
    }

    [Fact]
    public void Verify_LeafSignedByImpostorWithIntermediatesName_ReturnsBadSignature()
    {
        var impostor = _pki.Own(TestPki.CreateRoot("CN=Test Issuing CA, O=Test, C=US", _pki.Now));
        var forged = _pki.IssueClient(issuer: impostor);

        var result = Verify(forged, _pki.Store());

        ShouldReject(result, RejectReason.BadSignature, $"issuer {TestPki.IntermediateName} is known to trust store 'partners' but its key did not sign CN=client");
    }

    [Fact]
    public void Verify_TamperedSignature_ReturnsBadSignature()
    {
        var raw = _pki.IssueClient().Certificate.RawData.ToArray();
        raw[^1] ^= 0x55;
        using var tampered = X509CertificateLoader.LoadCertificate(raw);

        var result = _verifier.Verify(tampered, null, _pki.Store(), _pki.Now);

        ShouldReject(result, RejectReason.BadSignature, "signature of CN=client,O=Partner,C=US does not verify");
        result.ChainStatus.Should().Contain("NotSignatureValid");
    }

    [Fact]
    public void Verify_LeafListedInCrl_ReturnsRevokedWithSerial()
    {
        var leaf = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles[1] = _pki.WriteCrl("revoked.crl", _pki.Intermediate, [leaf]));

        var result = Verify(leaf, store);

        ShouldReject(result, RejectReason.Revoked, $"serial 0A1B revoked by CRL of {TestPki.IntermediateName} on {Durations.Instant(_pki.Now.AddHours(-1))}");
    }

    [Fact]
    public void Verify_IntermediateListedInRootsCrl_ReturnsRevoked()
    {
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles[0] = _pki.WriteCrl("root-revoking.crl", _pki.Root, [_pki.Intermediate]));

        var result = Verify(_pki.IssueClient(), store);

        ShouldReject(result, RejectReason.Revoked, $"issuing CA {TestPki.IntermediateName} (serial");
    }

    [Fact]
    public void Verify_UnrevokedLeafWithCurrentCrls_IsValid()
    {
        var other = _pki.IssueClient("other");
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles[1] = _pki.WriteCrl("revoked.crl", _pki.Intermediate, [other]));

        Verify(_pki.IssueClient(), store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_StaleCrl_ReturnsRevocationUnknown()
    {
        var nextUpdate = _pki.Now.AddHours(-2);
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles[1] = _pki.WriteCrl("stale.crl", _pki.Intermediate, thisUpdate: _pki.Now.AddDays(-8), nextUpdate: nextUpdate));

        var result = Verify(_pki.IssueClient(), store);

        ShouldReject(result, RejectReason.RevocationUnknown, $"CRL of {TestPki.IntermediateName} expired at {Durations.Instant(nextUpdate)} (NextUpdate); publish a fresh CRL");
    }

    [Fact]
    public void Verify_StaleCrlWithRevocationFailureAllow_AdmitsWithWarning()
    {
        var store = _pki.Store(RevocationCheck.Offline, o =>
        {
            o.CrlFiles[1] = _pki.WriteCrl("stale.crl", _pki.Intermediate, thisUpdate: _pki.Now.AddDays(-8), nextUpdate: _pki.Now.AddHours(-2));
            o.RevocationFailure = RevocationFailureAction.Allow;
        });

        var result = Verify(_pki.IssueClient(), store);

        result.IsValid.Should().BeTrue();
        result.Reason.Should().BeNull();
        result.Warning.Should().Contain("publish a fresh CRL; admitted because RevocationFailure is Allow");
    }

    [Fact]
    public void Verify_StaleCrlListingTheLeaf_StillReturnsRevoked()
    {
        var leaf = _pki.IssueClient();
        var store = _pki.Store(RevocationCheck.Offline, o =>
        {
            o.CrlFiles[1] = _pki.WriteCrl("stale.crl", _pki.Intermediate, [leaf], _pki.Now.AddDays(-8), _pki.Now.AddHours(-2));
            o.RevocationFailure = RevocationFailureAction.Allow;
        });

        Verify(leaf, store).Reason.Should().Be(RejectReason.Revoked);
    }

    [Fact]
    public void Verify_OfflineAndIssuerHasNoCrl_ReturnsRevocationUnknown()
    {
        var store = _pki.Store(RevocationCheck.Offline, o => o.CrlFiles.RemoveAt(1));

        var result = Verify(_pki.IssueClient(), store);

        ShouldReject(result, RejectReason.RevocationUnknown, $"trust store 'partners' has no CRL of {TestPki.IntermediateName}; add that CA's CRL to CrlFiles");
    }

    [Fact]
    public void Verify_RevocationNone_IgnoresCrls()
    {
        var leaf = _pki.IssueClient();
        var store = _pki.Store(RevocationCheck.None, o => o.CrlFiles = [_pki.WriteCrl("revoked.crl", _pki.Intermediate, [leaf])]);

        Verify(leaf, store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_OnlineWithoutAnyRevocationSource_ReturnsRevocationUnknown()
    {
        var result = Verify(_pki.IssueClient(), _pki.Store(RevocationCheck.Online));

        // A verifier without fetched CRLs (the default one) has only the files to go by.
        ShouldReject(result, RejectReason.RevocationUnknown, "has no CRL of CN=Test Issuing CA");
    }

    [Fact]
    public void Verify_ServerAuthOnlyLeaf_ReturnsWrongUsage()
    {
        var leaf = _pki.IssueClient(customize: s => s with { ExtendedKeyUsages = [Oids.ServerAuth] });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.WrongUsage, "extended key usage has no clientAuth (1.3.6.1.5.5.7.3.2)");
        result.ChainStatus.Should().Be("NotValidForUsage");
    }

    [Fact]
    public void Verify_LeafWithoutEku_IsValid()
    {
        var leaf = _pki.IssueClient(customize: s => s with { ExtendedKeyUsages = null });

        Verify(leaf, _pki.Store()).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_IntermediateRestrictedToServerAuth_ReturnsWrongUsageNamingTheCa()
    {
        var serverOnlyCa = _pki.IssueCa("CN=Server CA", _pki.Root, s => s with { ExtendedKeyUsages = [Oids.ServerAuth] });

        var result = Verify(_pki.IssueClient(issuer: serverOnlyCa), _pki.Store(), null, serverOnlyCa);

        ShouldReject(result, RejectReason.WrongUsage, "extended key usage of issuing CA CN=Server CA has no clientAuth");
    }

    [Fact]
    public void Verify_IntermediateCaPresentedAsClient_ReturnsWrongUsage()
    {
        var result = Verify(_pki.Intermediate, _pki.Store());

        ShouldReject(result, RejectReason.WrongUsage, "is a CA certificate (basic constraints CA=true)");
    }

    [Fact]
    public void Verify_RootPresentedAsClient_ReturnsWrongUsage()
    {
        Verify(_pki.Root, _pki.Store()).Reason.Should().Be(RejectReason.WrongUsage);
    }

    [Fact]
    public void Verify_PinsOnlyStoreAndPinnedSelfSignedLeaf_IsValid()
    {
        var leaf = _pki.Own(CertificateAuthority.CreateSelfSigned(new CertificateSpec { Subject = "CN=pinned", NotBefore = _pki.Now.AddDays(-1), NotAfter = _pki.Now.AddDays(1) }));
        var pin = string.Join(':', leaf.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var store = _pki.LoadStore(new TrustStoreOptions { Pins = [pin] });

        Verify(leaf, store).Should().Be(VerificationResult.Valid);
    }

    [Fact]
    public void Verify_PinsOnlyStoreAndUnpinnedLeaf_ReturnsUntrustedIssuerNamingTheHash()
    {
        var pinned = _pki.IssueClient("pinned");
        var other = _pki.IssueClient("other");
        var store = _pki.LoadStore(new TrustStoreOptions { Pins = [Fingerprints.Sha256(pinned.Certificate)] });

        var result = Verify(other, store);

        ShouldReject(result, RejectReason.UntrustedIssuer, $"certificate SHA-256 {Fingerprints.Sha256(other.Certificate)} is not pinned in trust store 'partners'; add it to Pins");
    }

    [Fact]
    public void Verify_PinsOnlyStoreAndPinnedButExpiredLeaf_ReturnsExpired()
    {
        var leaf = _pki.IssueClient(customize: s => s with { NotAfter = _pki.Now.AddDays(-1) });
        var store = _pki.LoadStore(new TrustStoreOptions { Pins = [Fingerprints.Sha256(leaf.Certificate)] });

        Verify(leaf, store).Reason.Should().Be(RejectReason.Expired);
    }

    [Fact]
    public void Verify_PinsOnlyStoreAndPinnedServerAuthLeaf_ReturnsWrongUsage()
    {
        var leaf = _pki.IssueClient(customize: s => s with { ExtendedKeyUsages = [Oids.ServerAuth] });
        var store = _pki.LoadStore(new TrustStoreOptions { Pins = [Fingerprints.Sha256(leaf.Certificate)] });

        Verify(leaf, store).Reason.Should().Be(RejectReason.WrongUsage);
    }

    [Fact]
    public void Verify_StoreWithCasAndPins_RequiresChainAndPin()
    {
        var pinned = _pki.IssueClient("pinned");
        var unpinned = _pki.IssueClient("unpinned");
        var foreignRoot = _pki.Own(TestPki.CreateRoot("CN=Foreign", _pki.Now));
        var pinnedForeign = _pki.IssueClient("foreign", issuer: foreignRoot);
        var store = _pki.Store(customize: o => o.Pins = [Fingerprints.Sha256(pinned.Certificate), Fingerprints.Sha256(pinnedForeign.Certificate)]);

        Verify(pinned, store).IsValid.Should().BeTrue();
        ShouldReject(Verify(unpinned, store), RejectReason.UntrustedIssuer, "is not pinned in trust store 'partners'");
        Verify(pinnedForeign, store, null, foreignRoot).Reason.Should().Be(RejectReason.UntrustedIssuer);
    }

    [Fact]
    public void Verify_RsaPki_IsValidAndHonoursItsCrl()
    {
        using var rsa = new TestPki(key: KeyKind.Rsa2048);
        var leaf = rsa.IssueClient(customize: s => s with { Key = KeyKind.Rsa2048 });
        var store = rsa.Store(RevocationCheck.Offline);
        var revokingStore = rsa.Store(RevocationCheck.Offline, o => o.CrlFiles[1] = rsa.WriteCrl("revoked.crl", rsa.Intermediate, [leaf], pem: false));

        _verifier.Verify(leaf.Certificate, null, store, rsa.Now).IsValid.Should().BeTrue();
        _verifier.Verify(leaf.Certificate, null, revokingStore, rsa.Now).Reason.Should().Be(RejectReason.Revoked);
    }

    // Hostile certificates (issue 9): each fails for exactly one reason, and the hint names it.

    [Fact]
    public void Verify_Rsa1024Leaf_ReturnsBadSignatureNamingKeySize()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Key = KeyKind.Rsa1024 });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.BadSignature, "client certificate CN=client,O=Partner,C=US: RSA key of 1024 bits is below trust store 'partners' MinimumRsaKeySize 2048");
    }

    [Fact]
    public void Verify_Rsa1024LeafAndLoweredMinimum_IsValid()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Key = KeyKind.Rsa1024 });

        Verify(leaf, _pki.Store(customize: o => o.MinimumRsaKeySize = 1024)).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_Rsa1024Intermediate_ReturnsBadSignatureNamingTheCa()
    {
        var weakCa = _pki.IssueCa("CN=Weak CA", _pki.Root, key: KeyKind.Rsa1024);

        var result = Verify(_pki.IssueClient(issuer: weakCa), _pki.Store(), null, weakCa);

        ShouldReject(result, RejectReason.BadSignature, "issuing CA CN=Weak CA: RSA key of 1024 bits is below trust store 'partners' MinimumRsaKeySize 2048; the CA must be re-keyed");
    }

    [Fact]
    public void Verify_Rsa1024Root_ReturnsBadSignatureForTheAnchorsKey()
    {
        var weakRoot = _pki.Own(TestPki.CreateRoot("CN=Weak Root", _pki.Now, KeyKind.Rsa1024));
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("weak-root.pem", weakRoot)]);

        var result = Verify(_pki.IssueClient(issuer: weakRoot), store);

        ShouldReject(result, RejectReason.BadSignature, "root CA CN=Weak Root: RSA key of 1024 bits is below");
    }

    [Fact]
    public void Verify_P256LeafAndMinimumEc384_ReturnsBadSignature()
    {
        var result = Verify(_pki.IssueClient(), _pki.Store(customize: o => o.MinimumEcKeySize = 384));

        ShouldReject(result, RejectReason.BadSignature, "EC key of 256 bits is below trust store 'partners' MinimumEcKeySize 384");
    }

    [Theory]
    [InlineData("MD5", "md5RSA")]
    [InlineData("SHA1", "sha1RSA")]
    public void Verify_LegacySignedLeaf_ReturnsBadSignatureNamingTheAlgorithm(string hash, string algorithm)
    {
        var rsaCa = _pki.IssueCa("CN=RSA CA", _pki.Root, key: KeyKind.Rsa2048);
        var leaf = _pki.IssueClient(customize: s => s with { SignatureHash = new(hash), SignatureGenerator = Hardening.LegacySignatureGenerator.For }, issuer: rsaCa);

        var result = Verify(leaf, _pki.Store(), null, rsaCa);

        ShouldReject(result, RejectReason.BadSignature, $"client certificate CN=client,O=Partner,C=US: signature algorithm {algorithm} is not allowed by trust store 'partners' AllowedSignatureAlgorithms");
        result.ChainStatus.Should().BeEmpty("the platform itself accepts it; the refusal is the gateway's own");
    }

    [Fact]
    public void Verify_Sha1LeafAndSha1Allowed_IsValid()
    {
        var rsaCa = _pki.IssueCa("CN=RSA CA", _pki.Root, key: KeyKind.Rsa2048);
        var leaf = _pki.IssueClient(customize: s => s with { SignatureHash = HashAlgorithmName.SHA1, SignatureGenerator = Hardening.LegacySignatureGenerator.For }, issuer: rsaCa);

        var result = Verify(leaf, _pki.Store(customize: o => o.AllowedSignatureAlgorithms = ["SHA1RSA", "1.2.840.10045.4.3.2"]), null, rsaCa);

        result.IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_Sha1SelfSignedRoot_IsValidBecauseAnAnchorsSelfSignatureProvesNothing()
    {
        var root = _pki.Own(CertificateAuthority.CreateSelfSigned(new CertificateSpec
        {
            Subject = "CN=Old SHA-1 Root",
            NotBefore = _pki.Now.AddYears(-1),
            NotAfter = _pki.Now.AddYears(5),
            IsCertificateAuthority = true,
            ExtendedKeyUsages = null,
            Key = KeyKind.Rsa2048,
            SignatureHash = HashAlgorithmName.SHA1,
            SignatureGenerator = Hardening.LegacySignatureGenerator.For,
        }));
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("sha1-root.pem", root)]);

        Verify(_pki.IssueClient(issuer: root), store).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_RsaPssLeaf_IsValidByDefaultAndNamedByItsHash()
    {
        var rsaCa = _pki.IssueCa("CN=RSA CA", _pki.Root, key: KeyKind.Rsa2048);
        var leaf = _pki.IssueClient(customize: s => s with { SignatureGenerator = k => X509SignatureGenerator.CreateForRSA((RSA)k, RSASignaturePadding.Pss) }, issuer: rsaCa);

        Verify(leaf, _pki.Store(), null, rsaCa).IsValid.Should().BeTrue();
        ShouldReject(
            Verify(leaf, _pki.Store(customize: o => o.AllowedSignatureAlgorithms = ["sha256ECDSA"]), null, rsaCa),
            RejectReason.BadSignature,
            "signature algorithm sha256RSAPSS is not allowed");
    }

    [Fact]
    public void Verify_UnknownCriticalExtension_ReturnsWrongUsageNamingTheOid()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Extensions = [Hardening.HostileExtensions.UnknownCritical()] });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.WrongUsage, $"client certificate CN=client,O=Partner,C=US carries critical extension {Hardening.HostileExtensions.UnknownOid}, which the gateway does not understand");
        result.ChainStatus.Should().Be("HasNotSupportedCriticalExtension");
    }

    [Fact]
    public void Verify_LeafOutsideIssuersNameConstraints_ReturnsUntrustedIssuer()
    {
        var constrained = _pki.IssueCa("CN=Constrained CA", _pki.Root, s => s with { Extensions = [Hardening.HostileExtensions.PermittedDnsSubtree("partner-a.test")] });
        var inside = _pki.IssueClient("inside", s => s with { DnsNames = ["api.partner-a.test"] }, constrained);
        var outside = _pki.IssueClient("outside", s => s with { DnsNames = ["orders.acme.test"] }, constrained);

        Verify(inside, _pki.Store(), null, constrained).IsValid.Should().BeTrue();
        ShouldReject(
            Verify(outside, _pki.Store(), null, constrained),
            RejectReason.UntrustedIssuer,
            "client certificate CN=outside,O=Partner,C=US: DNS orders.acme.test is not within any permitted subtree (DNS partner-a.test) in the name constraints of issuing CA CN=Constrained CA");
    }

    [Fact]
    public void Verify_CaBelowPathLengthZero_ReturnsUntrustedIssuer()
    {
        var pathLenZero = _pki.IssueCa("CN=PathLen0 CA", _pki.Root, s => s with { PathLength = 0 });
        var sub = _pki.IssueCa("CN=Sub CA", pathLenZero);

        var result = Verify(_pki.IssueClient(issuer: sub), _pki.Store(), null, sub, pathLenZero);

        ShouldReject(result, RejectReason.UntrustedIssuer, "CA CN=PathLen0 CA allows 0 CA certificates below it (pathLenConstraint 0) but the chain has 1");
    }

    [Fact]
    public void Verify_IssuerWithoutCaBasicConstraints_ReturnsUntrustedIssuer()
    {
        var notCa = _pki.IssueClient("not-a-ca", s => s with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign });

        var result = Verify(_pki.IssueClient(issuer: notCa), _pki.Store(), null, notCa);

        ShouldReject(result, RejectReason.UntrustedIssuer, "CN=not-a-ca,O=Partner,C=US issued CN=client,O=Partner,C=US but is not a CA certificate");
    }

    [Fact]
    public void Verify_SanOnlyLeafWithEmptySubject_IsValid()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Subject = string.Empty, DnsNames = ["san-only.acme.test"] });

        Verify(leaf, _pki.Store()).IsValid.Should().BeTrue();
        leaf.Certificate.Extensions[Oids.SubjectAlternativeName]!.Critical.Should().BeTrue("RFC 5280: the names are only there");
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public void Verify_ChainDepth_IsBoundedByMaxChainDepth(int maxChainDepth, bool admitted)
    {
        var second = _pki.IssueCa("CN=Second CA", _pki.Intermediate);
        var leaf = _pki.IssueClient(issuer: second);

        var result = Verify(leaf, _pki.Store(customize: o => o.MaxChainDepth = maxChainDepth), null, second);

        if (admitted)
        {
            result.IsValid.Should().BeTrue();
        }
        else
        {
            ShouldReject(result, RejectReason.UntrustedIssuer, "has 2 intermediate CA certificates, more than trust store 'partners' MaxChainDepth 1");
        }
    }

    [Fact]
    public void Verify_OversizedLeaf_ReturnsBadSignatureBeforeBuildingAChain()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Extensions = [Hardening.HostileExtensions.Padding(32 * 1024)] });

        var result = Verify(leaf, _pki.Store());

        ShouldReject(result, RejectReason.BadSignature, $"client certificate CN=client,O=Partner,C=US is {leaf.Certificate.RawData.Length} bytes, larger than trust store 'partners' MaxCertificateSize 16384");
        Verify(leaf, _pki.Store(customize: o => o.MaxCertificateSize = 65535)).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Verify_PinnedRsa1024Certificate_ReturnsBadSignature()
    {
        var leaf = _pki.IssueClient(customize: s => s with { Key = KeyKind.Rsa1024 });
        var store = _pki.LoadStore(new TrustStoreOptions { Pins = [Fingerprints.Sha256(leaf.Certificate)] });

        Verify(leaf, store).Reason.Should().Be(RejectReason.BadSignature);
    }
}
