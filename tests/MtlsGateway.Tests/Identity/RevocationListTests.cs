using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class RevocationListTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Parse_PemOrDer_ReadsIssuerDatesAndSerials(bool pem)
    {
        var revoked = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var der = _pki.CreateCrl(_pki.Intermediate, [revoked], _pki.Now.AddHours(-1), _pki.Now.AddDays(7));
        var data = pem ? System.Text.Encoding.ASCII.GetBytes(CertificateAuthority.CrlToPem(der)) : der;

        var crl = RevocationList.Parse(data);

        crl.Issuer.RawData.Should().Equal(_pki.Intermediate.Certificate.SubjectName.RawData);
        crl.ThisUpdate.Should().BeCloseTo(_pki.Now.AddHours(-1), TimeSpan.FromSeconds(1));
        crl.NextUpdate.Should().BeCloseTo(_pki.Now.AddDays(7), TimeSpan.FromSeconds(1));
        crl.RevokedSerials.Should().Equal("0A1B");
        crl.SignatureAlgorithm.Should().Be("1.2.840.10045.4.3.2");
        crl.RawData.Should().Equal(der);
    }

    [Theory]
    [InlineData("0A1B")]
    [InlineData("a1b")]
    [InlineData("000a1b")]
    [InlineData("0a:1b")]
    public void Contains_AnySpellingOfTheSerial_IsFound(string serial)
    {
        var revoked = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var crl = RevocationList.Parse(_pki.CreateCrl(_pki.Intermediate, [revoked]));

        crl.Contains(serial).Should().BeTrue();
        crl.Contains("0A1C").Should().BeFalse();
    }

    [Fact]
    public void Parse_SerialWithHighBit_IsStoredWithoutTheSignPadding()
    {
        var revoked = _pki.IssueClient(customize: s => s with { SerialNumber = [0x00, 0x80, 0x01] });

        var crl = RevocationList.Parse(_pki.CreateCrl(_pki.Intermediate, [revoked]));

        crl.RevokedSerials.Should().Equal("8001");
        crl.Contains(revoked.Certificate.SerialNumber).Should().BeTrue();
    }

    [Fact]
    public void IsStale_AfterNextUpdate_IsTrue()
    {
        var crl = RevocationList.Parse(_pki.CreateCrl(_pki.Intermediate, nextUpdate: _pki.Now.AddDays(1)));

        crl.IsStale(_pki.Now).Should().BeFalse();
        crl.IsStale(_pki.Now.AddDays(1).AddSeconds(1)).Should().BeTrue();
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x00 })]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 })]
    [InlineData(new byte[0])]
    public void Parse_Garbage_ThrowsFormatException(byte[] data)
    {
        var parse = () => RevocationList.Parse(data);

        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void Parse_PemOfAnotherKind_SaysWhichLabelItFound()
    {
        var pem = System.Text.Encoding.ASCII.GetBytes(_pki.Root.CertificatePem);

        var parse = () => RevocationList.Parse(pem);

        parse.Should().Throw<FormatException>().WithMessage("*'CERTIFICATE', expected 'X509 CRL'*");
    }

    [Fact]
    public void CheckSignature_IssuingCa_IsValid()
    {
        var crl = RevocationList.Parse(_pki.CreateCrl(_pki.Intermediate));

        crl.CheckSignature(_pki.Intermediate.Certificate).Should().Be(CrlSignatureStatus.Valid);
        crl.CheckSignature(_pki.Root.Certificate).Should().Be(CrlSignatureStatus.IssuerMismatch);
    }

    [Fact]
    public void CheckSignature_SameNameOtherKey_IsBadSignature()
    {
        using var impostor = TestPki.CreateRoot("CN=Test Issuing CA, O=Test, C=US", _pki.Now);
        var crl = RevocationList.Parse(_pki.CreateCrl(impostor));

        crl.CheckSignature(_pki.Intermediate.Certificate).Should().Be(CrlSignatureStatus.BadSignature);
    }

    [Fact]
    public void CheckSignature_AlteredEntry_IsBadSignature()
    {
        var revoked = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B, 0x2C] });
        var der = _pki.CreateCrl(_pki.Intermediate, [revoked]);
        var at = der.AsSpan().IndexOf(new byte[] { 0x0A, 0x1B, 0x2C });
        der[at + 2] = 0x2D; // unrevoke the client by renaming its entry

        var crl = RevocationList.Parse(der);

        crl.Contains("0A1B2D").Should().BeTrue();
        crl.CheckSignature(_pki.Intermediate.Certificate).Should().Be(CrlSignatureStatus.BadSignature);
    }

    [Fact]
    public void CheckSignature_CaWithoutCrlSign_IsNotCrlSigner()
    {
        var ca = _pki.IssueCa("CN=No CRL CA", _pki.Root, s => s with { KeyUsage = X509KeyUsageFlags.KeyCertSign });
        // The builder refuses such an issuer, so sign with its key under its name directly.
        var der = new CertificateRevocationListBuilder().Build(
            ca.Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa((ECDsa)ca.Key),
            BigInteger.One,
            _pki.Now.AddDays(1),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false),
            _pki.Now);

        RevocationList.Parse(der).CheckSignature(ca.Certificate).Should().Be(CrlSignatureStatus.NotCrlSigner);
    }

    [Theory]
    [InlineData("SHA256", "1.2.840.113549.1.1.11")]
    [InlineData("SHA384", "1.2.840.113549.1.1.12")]
    public void CheckSignature_RsaPkcs1_IsValid(string hash, string oid)
    {
        using var rsa = TestPki.CreateRoot("CN=RSA Root", _pki.Now, KeyKind.Rsa2048);
        var der = new CertificateRevocationListBuilder().Build(rsa.Certificate, BigInteger.One, _pki.Now.AddDays(1), new HashAlgorithmName(hash), RSASignaturePadding.Pkcs1, _pki.Now);

        var crl = RevocationList.Parse(der);

        crl.SignatureAlgorithm.Should().Be(oid);
        crl.CheckSignature(rsa.Certificate).Should().Be(CrlSignatureStatus.Valid);
    }

    [Fact]
    public void CheckSignature_RsaPss_IsValidAndOtherKeyIsNot()
    {
        using var rsa = TestPki.CreateRoot("CN=RSA Root", _pki.Now, KeyKind.Rsa2048);
        using var other = TestPki.CreateRoot("CN=RSA Root", _pki.Now, KeyKind.Rsa2048);
        var der = new CertificateRevocationListBuilder().Build(rsa.Certificate, BigInteger.One, _pki.Now.AddDays(1), HashAlgorithmName.SHA384, RSASignaturePadding.Pss, _pki.Now);

        var crl = RevocationList.Parse(der);

        crl.SignatureAlgorithm.Should().Be("1.2.840.113549.1.1.10");
        crl.CheckSignature(rsa.Certificate).Should().Be(CrlSignatureStatus.Valid);
        crl.CheckSignature(other.Certificate).Should().Be(CrlSignatureStatus.BadSignature);
    }

    [Fact]
    public void CheckSignature_Sha1Rsa_IsUnsupported()
    {
        using var rsa = TestPki.CreateRoot("CN=RSA Root", _pki.Now, KeyKind.Rsa2048);
        var der = new CertificateRevocationListBuilder().Build(rsa.Certificate, BigInteger.One, _pki.Now.AddDays(1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, _pki.Now);
        // .NET no longer signs with SHA-1, so relabel both AlgorithmIdentifiers sha256WithRSA (.11) as sha1WithRSA (.5).
        byte[] sha256WithRsa = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
        for (var at = der.AsSpan().IndexOf(sha256WithRsa); at >= 0; at = der.AsSpan().IndexOf(sha256WithRsa))
        {
            der[at + 8] = 0x05;
        }

        var crl = RevocationList.Parse(der);

        crl.SignatureAlgorithm.Should().Be("1.2.840.113549.1.1.5");
        crl.CheckSignature(rsa.Certificate).Should().Be(CrlSignatureStatus.UnsupportedAlgorithm);
    }
}
