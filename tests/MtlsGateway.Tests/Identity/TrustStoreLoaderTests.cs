using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class TrustStoreLoaderTests : IDisposable
{
    private const string Store = "Gateway:TrustStores:partners";
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private (TrustStore? Store, List<ConfigError> Errors) Load(TrustStoreOptions options)
    {
        var errors = new List<ConfigError>();
        var store = TrustStoreLoader.Load("partners", options, _pki.Directory, errors);
        return (store, errors);
    }

    private static TrustStoreOptions Options(params string[] caFiles) => new() { CaFiles = [.. caFiles], Revocation = RevocationCheck.None };

    [Fact]
    public void Load_RootAndIntermediate_SortsThemAndKeepsSettings()
    {
        _pki.WritePem("root.pem", _pki.Root);
        _pki.WritePem("intermediate.pem", _pki.Intermediate);
        var options = Options("root.pem", "intermediate.pem");
        options.ClockSkew = TimeSpan.FromSeconds(30);
        options.RevocationFailure = RevocationFailureAction.Allow;

        var (store, errors) = Load(options);

        errors.Should().BeEmpty();
        store!.Name.Should().Be("partners");
        store.Roots.Select(c => c.Thumbprint).Should().Equal(_pki.Root.Certificate.Thumbprint);
        store.Intermediates.Select(c => c.Thumbprint).Should().Equal(_pki.Intermediate.Certificate.Thumbprint);
        store.AllCaCertificates.Should().HaveCount(2);
        store.ClockSkew.Should().Be(TimeSpan.FromSeconds(30));
        store.RevocationFailure.Should().Be(RevocationFailureAction.Allow);
        store.IsPinsOnly.Should().BeFalse();
    }

    [Fact]
    public void Load_FolderEntry_ReadsEveryPemCrtAndCerFileInIt()
    {
        _pki.WritePem("cas/root.crt", _pki.Root);
        _pki.WriteBytes("cas/intermediate.cer", _pki.Intermediate.Certificate.RawData);
        _pki.WriteText("cas/readme.txt", "not a certificate");

        var (store, errors) = Load(Options("cas"));

        errors.Should().BeEmpty();
        store!.AllCaCertificates.Should().HaveCount(2);
    }

    [Fact]
    public void Load_BundleWithDuplicates_KeepsEachCaOnce()
    {
        var bundle = _pki.WritePem("bundle.pem", _pki.Root, _pki.Intermediate, _pki.Root);

        var (store, errors) = Load(Options(bundle));

        errors.Should().BeEmpty();
        store!.AllCaCertificates.Should().HaveCount(2);
    }

    [Fact]
    public void Load_MissingFile_ReportsEntryPathAndResolvedLocation()
    {
        _pki.WritePem("root.pem", _pki.Root);

        var (store, errors) = Load(Options("root.pem", "nope.pem"));

        store.Should().BeNull();
        errors.Should().Equal(new ConfigError($"{Store}:CaFiles:1", $"file 'nope.pem' does not exist (resolved to '{Path.Combine(_pki.Directory, "nope.pem")}')"));
    }

    [Fact]
    public void Load_FileWithoutCertificate_SaysWhatIsExpected()
    {
        _pki.WriteText("empty.pem", "hello\n");

        var (_, errors) = Load(Options("empty.pem"));

        errors.Should().Equal(new ConfigError($"{Store}:CaFiles:0", "'empty.pem' holds no certificate; expected PEM (-----BEGIN CERTIFICATE-----) or DER"));
    }

    [Fact]
    public void Load_CorruptPemCertificate_ReportsParseError()
    {
        _pki.WriteText("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        var (_, errors) = Load(Options("broken.pem"));

        errors.Should().ContainSingle().Which.Path.Should().Be($"{Store}:CaFiles:0");
        errors[0].Message.Should().StartWith("'broken.pem' holds a certificate that does not parse");
    }

    [Fact]
    public void Load_ClientCertificateInCaFiles_SaysItBelongsInPins()
    {
        var client = _pki.IssueClient();
        _pki.WritePem("root.pem", _pki.Root);
        _pki.WritePem("client.pem", client);

        var (_, errors) = Load(Options("root.pem", "client.pem"));

        errors.Should().Equal(new ConfigError(
            $"{Store}:CaFiles:1",
            $"'client.pem' holds CN=client,O=Partner,C=US, which is not a CA certificate (basic constraints CA=false); client certificates belong in Pins (SHA-256 {Fingerprints.Sha256(client.Certificate)})"));
    }

    [Fact]
    public void Load_OnlyIntermediate_AsksForTheRoot()
    {
        _pki.WritePem("intermediate.pem", _pki.Intermediate);

        var (_, errors) = Load(Options("intermediate.pem"));

        errors.Should().ContainSingle().Which.Should().Be(new ConfigError(
            $"{Store}:CaFiles",
            $"holds no root (self-signed) CA, so no chain can end in it; add the root that issued {TestPki.IntermediateName}'s issuer {TestPki.RootName}, or set AllowPartialChain to true to make the CAs in CaFiles trust anchors themselves"));
    }

    [Fact]
    public void Load_CrlPemAndDer_AreBoundToTheirCas()
    {
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles[1] = _pki.WriteCrl("intermediate.der", _pki.Intermediate, pem: false);

        var (store, errors) = Load(options);

        errors.Should().BeEmpty();
        store!.Crls.Should().HaveCount(2);
        store.FindCrl(_pki.Intermediate.Certificate)!.Signer!.Thumbprint.Should().Be(_pki.Intermediate.Certificate.Thumbprint);
        store.FindCrl(_pki.Root.Certificate)!.Signer!.Thumbprint.Should().Be(_pki.Root.Certificate.Thumbprint);
    }

    [Fact]
    public void Load_CrlThatDoesNotParse_ReportsItsEntry()
    {
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles[1] = _pki.WriteText("garbage.crl", "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n");

        var (_, errors) = Load(options);

        errors.Should().ContainSingle().Which.Path.Should().Be($"{Store}:CrlFiles:1");
        errors[0].Message.Should().StartWith("'").And.Contain("garbage.crl' does not parse as a CRL");
    }

    [Fact]
    public void Load_CrlSignedByAnotherKeyUnderTheCasName_IsNotSignedByAnyCa()
    {
        using var impostor = TestPki.CreateRoot("CN=Test Issuing CA, O=Test, C=US", _pki.Now);
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles[1] = _pki.WriteCrl("forged.crl", impostor);

        var (_, errors) = Load(options);

        errors.Should().ContainSingle().Which.Path.Should().Be($"{Store}:CrlFiles:1");
        errors[0].Message.Should().Contain("is not signed by any CA in trust store 'partners'");
    }

    [Fact]
    public void Load_TamperedCrl_IsNotSignedByAnyCa()
    {
        var der = _pki.CreateCrl(_pki.Intermediate, [_pki.IssueClient()]);
        der[^10] ^= 0x01; // inside the signature value: still DER, no longer the CA's signature
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles[1] = _pki.WriteBytes("tampered.crl", der);

        var (_, errors) = Load(options);

        errors.Should().ContainSingle().Which.Message.Should().Contain("is not signed by any CA in trust store 'partners'");
    }

    [Fact]
    public void Load_CrlOfCaNotInStore_IsKeptUnboundForAPresentedIssuer()
    {
        using var other = TestPki.CreateRoot("CN=Elsewhere", _pki.Now);
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles.Add(_pki.WriteCrl("elsewhere.crl", other));

        var (store, errors) = Load(options);

        errors.Should().BeEmpty();
        store!.Crls.Should().HaveCount(3);
        store.Crls[2].Signer.Should().BeNull();
        store.CrlSources[2].Should().Be(Path.Combine(_pki.Directory, "elsewhere.crl"));
    }

    [Fact]
    public void Load_OfflineWithoutCrlFiles_AsksForCrlOrNone()
    {
        var options = _pki.StoreOptions();
        options.Revocation = RevocationCheck.Offline;

        var (_, errors) = Load(options);

        errors.Should().Equal(new ConfigError($"{Store}:Revocation", "is Offline but no CrlFiles are given; add the CA's CRL to CrlFiles or set Revocation to None (or Online)"));
    }

    [Fact]
    public void Load_NeitherCaFilesNorPins_SaysWhatToAdd()
    {
        var (_, errors) = Load(new TrustStoreOptions { Revocation = RevocationCheck.None });

        errors.Should().ContainSingle().Which.Path.Should().Be(Store);
        errors[0].Message.Should().StartWith("has neither CaFiles, SpiffeBundles nor Pins");
    }

    [Fact]
    public void Load_Pins_AcceptsColonsAndCaseAndReportsMalformedOnes()
    {
        var good = Fingerprints.Sha256(_pki.IssueClient().Certificate);
        var withColons = string.Join(':', good.Chunk(2).Select(c => new string(c))).ToLowerInvariant();

        var (_, errors) = Load(new TrustStoreOptions { Pins = [withColons, "abc", good + "00"] });
        var (store, none) = Load(new TrustStoreOptions { Pins = [withColons] });

        errors.Select(e => e.Path).Should().Equal($"{Store}:Pins:1", $"{Store}:Pins:2");
        errors[0].Message.Should().StartWith("'abc' is not a SHA-256 fingerprint; expected 64 hex digits (colons allowed)");
        none.Should().BeEmpty();
        store!.Pins.Should().Equal(good);
        store.IsPinsOnly.Should().BeTrue();
    }

    [Fact]
    public void Load_NegativeClockSkew_IsReported()
    {
        var options = _pki.StoreOptions();
        options.ClockSkew = TimeSpan.FromMinutes(-1);

        var (_, errors) = Load(options);

        errors.Should().ContainSingle().Which.Path.Should().Be($"{Store}:ClockSkew");
    }

    [Fact]
    public void Load_SeveralProblems_ReportsEveryOne()
    {
        var options = new TrustStoreOptions
        {
            CaFiles = ["missing-1.pem", "missing-2.pem"],
            CrlFiles = ["missing.crl"],
            Pins = ["zz"],
            ClockSkew = TimeSpan.FromSeconds(-5),
        };

        var (store, errors) = Load(options);

        store.Should().BeNull();
        errors.Select(e => e.Path).Should().BeEquivalentTo(
            $"{Store}:ClockSkew", $"{Store}:Pins:0", $"{Store}:CaFiles:0", $"{Store}:CaFiles:1", $"{Store}:CrlFiles:0");
    }

    [Fact]
    public void Load_SameFilesTwice_KeepsGenerationAndAnyChangeMovesIt()
    {
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        var first = _pki.LoadStore(options);
        var again = _pki.LoadStore(options);
        _pki.WriteCrl("intermediate.crl", _pki.Intermediate, [_pki.IssueClient()]);
        var newCrl = _pki.LoadStore(options);
        options.ClockSkew = TimeSpan.FromMinutes(2);
        var newSkew = _pki.LoadStore(options);

        again.Generation.Should().Be(first.Generation);
        again.Fingerprint.Should().Be(first.Fingerprint);
        new[] { first.Generation, newCrl.Generation, newSkew.Generation }.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Load_NoStrengthSettings_AppliesSafeDefaults()
    {
        var store = _pki.Store();

        store.Requirements.MinimumRsaKeySize.Should().Be(2048);
        store.Requirements.MinimumEcKeySize.Should().Be(256);
        store.Requirements.MaxChainDepth.Should().Be(5);
        store.Requirements.MaxCertificateSize.Should().Be(16384);
        store.Requirements.AllowedSignatureAlgorithms.Should().Contain(["sha256RSA", "sha384RSAPSS", "sha512ECDSA"])
            .And.NotContain(["sha1RSA", "md5RSA", "sha1ECDSA", "sha1RSAPSS"]);
    }

    [Fact]
    public void Load_StrengthSettingsOutOfRange_ReportsEachAtItsPath()
    {
        var options = _pki.StoreOptions();
        options.MinimumRsaKeySize = 512;
        options.MinimumEcKeySize = 1000;
        options.MaxChainDepth = -1;
        options.MaxCertificateSize = 64 * 1024;
        options.AllowedSignatureAlgorithms = ["sha256RSA", "sha256-rsa", "1.2.840.10045.4.3.2"];

        var (store, errors) = Load(options);

        store.Should().BeNull();
        errors.Select(e => e.Path).Should().BeEquivalentTo(
            $"{Store}:MinimumRsaKeySize", $"{Store}:MinimumEcKeySize", $"{Store}:MaxChainDepth", $"{Store}:MaxCertificateSize", $"{Store}:AllowedSignatureAlgorithms:1");
        errors.Single(e => e.Path.EndsWith(":1", StringComparison.Ordinal)).Message.Should()
            .Contain("'sha256-rsa' is not a signature algorithm; use one of").And.Contain("sha256RSAPSS").And.Contain("or an OID");
        errors.Single(e => e.Path.EndsWith("MinimumRsaKeySize", StringComparison.Ordinal)).Message.Should().Contain("must be between 1024 and 16384 (is 512)");
    }

    [Fact]
    public void Load_AllowedSignatureAlgorithms_AreNormalisedFromAnyCaseAndOids()
    {
        var store = _pki.Store(customize: o => o.AllowedSignatureAlgorithms = ["SHA384ecdsa", "1.2.840.113549.1.1.11", "1.3.101.112", "1.2.3.4"]);

        store.Requirements.AllowedSignatureAlgorithms.Should().BeEquivalentTo("sha384ECDSA", "sha256RSA", "Ed25519", "1.2.3.4");
    }

    [Fact]
    public void Load_StrengthSettingChange_MovesGeneration()
    {
        var options = _pki.StoreOptions();
        var before = _pki.LoadStore(options);
        options.MinimumRsaKeySize = 3072;
        var stricter = _pki.LoadStore(options);
        options.AllowedSignatureAlgorithms = ["sha256ECDSA"];
        var fewerAlgorithms = _pki.LoadStore(options);

        new[] { before.Generation, stricter.Generation, fewerAlgorithms.Generation }.Should().OnlyHaveUniqueItems("a cached verdict must not outlive the rule that made it");
    }
}
