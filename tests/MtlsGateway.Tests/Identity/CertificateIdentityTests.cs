using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Pki;
using MtlsGateway.Policies;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class CertificateIdentityTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void From_TypicalClient_ReadsEveryPart()
    {
        var issued = _pki.IssueClient(customize: s => s with
        {
            Subject = "CN=acme-orders-client, O=Acme, C=US",
            DnsNames = ["a.acme.test", "b.acme.test"],
            Uris = ["spiffe://acme.test/orders/a", "https://acme.test/id"],
        });

        var id = CertificateIdentity.From(issued.Certificate);

        id.Subject.Should().Be("CN=acme-orders-client,O=Acme,C=US");
        id.Issuer.Should().Be(TestPki.IntermediateName);
        id.CommonName.Should().Be("acme-orders-client");
        id.SerialNumber.Should().Be(issued.Certificate.SerialNumber);
        id.Sha256.Should().Be(issued.Certificate.GetCertHashString(HashAlgorithmName.SHA256)).And.MatchRegex("^[0-9A-F]{64}$");
        id.NotBefore.Should().BeCloseTo(_pki.Now.AddDays(-1), TimeSpan.FromSeconds(1));
        id.NotBefore.Offset.Should().Be(TimeSpan.Zero);
        id.NotAfter.Should().BeCloseTo(_pki.Now.AddDays(1), TimeSpan.FromSeconds(1));
        id.DnsNames.Should().Equal("a.acme.test", "b.acme.test");
        id.Uris.Should().Equal("spiffe://acme.test/orders/a", "https://acme.test/id");
    }

    [Fact]
    public void From_SubjectWithSpecialCharacters_EscapesPerRfc4514()
    {
        var issued = _pki.IssueClient(customize: s => s with { Subject = "CN=\"Müller, \"\"Jr\"\" + Co; <x>\", O=Acme, C=US" });

        var id = CertificateIdentity.From(issued.Certificate);

        id.Subject.Should().Be("CN=Müller\\, \\\"Jr\\\" \\+ Co\\; \\<x\\>,O=Acme,C=US");
        id.CommonName.Should().Be("Müller, \"Jr\" + Co; <x>");
    }

    [Theory]
    [InlineData("#tag", "\\#tag")]
    [InlineData(" lead", "\\ lead")]
    [InlineData("trail ", "trail\\ ")]
    [InlineData("mid dle#", "mid dle#")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("nul\0", "nul\\00")]
    [InlineData("tab\t", "tab\\09")]
    [InlineData("ünï", "ünï")]
    public void Escape_Value_FollowsRfc4514(string value, string expected) =>
        DistinguishedNames.Escape(value).Should().Be(expected);

    [Fact]
    public void Format_MultiValuedRdnAndUnknownAttribute_JoinsWithPlusAndUsesHex()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSetOf())
            {
                WriteAttribute(writer, "2.5.4.10", "c");
            }

            using (writer.PushSetOf())
            {
                WriteAttribute(writer, "2.5.4.3", "a");
                WriteAttribute(writer, "2.5.4.11", "b");
            }

            using (writer.PushSetOf())
            {
                WriteAttribute(writer, "1.2.3.4", "xyz");
            }
        }

        var name = new X500DistinguishedName(writer.Encode());

        DistinguishedNames.Format(name).Should().Be("1.2.3.4=#0C0378797A,CN=a+OU=b,O=c");
        DistinguishedNames.CommonName(name).Should().Be("a");
    }

    [Fact]
    public void From_TwoCommonNames_TakesTheMostSpecific()
    {
        var issued = _pki.IssueClient(customize: s => s with { Subject = "CN=service, CN=group, O=Acme" });

        CertificateIdentity.From(issued.Certificate).CommonName.Should().Be("service");
    }

    [Fact]
    public void From_NoSubjectAndMalformedSan_ReturnsWhatParses()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        byte[] san = [0x30, 0x0C, 0x82, 0x07, .. "ok.test"u8, 0x86, 0x05, 0x41]; // a DNS name, then a truncated URI
        request.CertificateExtensions.Add(new X509Extension(Oids.SubjectAlternativeName, san, critical: false));
        using var certificate = request.CreateSelfSigned(_pki.Now.AddDays(-1), _pki.Now.AddDays(1));

        var id = CertificateIdentity.From(certificate);

        id.Subject.Should().BeEmpty();
        id.Issuer.Should().BeEmpty();
        id.CommonName.Should().BeNull();
        id.DnsNames.Should().Equal("ok.test");
        id.Uris.Should().BeEmpty();
    }

    [Fact]
    public void From_NoSan_HasEmptyNameLists()
    {
        var id = CertificateIdentity.From(_pki.IssueClient().Certificate);

        id.DnsNames.Should().BeEmpty();
        id.Uris.Should().BeEmpty();
    }

    private static void WriteAttribute(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        }
    }

    [Fact]
    public void From_SanOnlyCertificateWithEmptySubject_TakesIdentityFromSansAndTheAllowlistMatchesThem()
    {
        var issued = _pki.IssueClient(customize: s => s with { Subject = string.Empty, DnsNames = ["san-only.acme.test"], Uris = ["spiffe://acme.test/orders/san-only"] });

        var id = CertificateIdentity.From(issued.Certificate);

        id.Subject.Should().BeEmpty();
        id.CommonName.Should().BeNull();
        id.DnsNames.Should().Equal("san-only.acme.test");
        new Allowlist(new AllowOptions { DnsNames = ["*.acme.test"] }).Admits(id).Should().BeTrue();
        new Allowlist(new AllowOptions { Uris = ["spiffe://acme.test/orders/*"] }).Admits(id).Should().BeTrue();
        var byName = new Allowlist(new AllowOptions { CommonNames = ["acme-orders-client"] });
        byName.Admits(id).Should().BeFalse();
        byName.DescribeMismatch(id, "acme-orders").Should().Contain("the certificate has no CN to match policy 'acme-orders' Allow.CommonNames");
    }
}
