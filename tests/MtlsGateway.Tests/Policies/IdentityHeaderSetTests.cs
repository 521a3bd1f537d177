using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Policies;
using MtlsGateway.Proxying;
using MtlsGateway.Tests.Identity;

namespace MtlsGateway.Tests.Policies;

/// <summary>What the backend receives for a certificate, checked by parsers written from the formats' own grammars
/// (Envoy's XFCC, RFC 4514, RFC 9110 lists) rather than by comparing with the encoder's output.</summary>
[Trait("Category", "Unit")]
public sealed class IdentityHeaderSetTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Xfcc_TrickyCertificate_ParserRecoversEveryField()
    {
        var certificate = _pki.Own(TrickyCertificate.Issue(_pki.Intermediate)).Certificate;

        var headers = Headers(new IdentityHeaderOptions(), certificate);

        var elements = XfccParser.Parse(headers["X-Forwarded-Client-Cert"]);
        elements.Should().ContainSingle("one element per proxy, and the gateway is the only one");
        var xfcc = elements[0];
        XfccParser.Values(xfcc, "Hash").Should().Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());
        var subject = XfccParser.Values(xfcc, "Subject").Single();
        Rfc4514.Value(subject, "CN").Should().Be(TrickyCertificate.CommonName);
        Rfc4514.Value(subject, "O").Should().Be(TrickyCertificate.Organization);
        Rfc4514.Value(subject, "C").Should().Be("US");
        XfccParser.Values(xfcc, "DNS").Select(Uri.UnescapeDataString).Should().Equal(TrickyCertificate.DnsNames);
        XfccParser.Values(xfcc, "URI").Should().Equal(
            TrickyCertificate.Uris[0], TrickyCertificate.Uris[1], "https://x.test/\"q\"%0D%0AX-Injected: 1");
    }

    [Fact]
    public void Parts_TrickyCertificate_RoundTripAndMatchXfcc()
    {
        var certificate = _pki.Own(TrickyCertificate.Issue(_pki.Intermediate)).Certificate;

        var headers = Headers(new IdentityHeaderOptions(), certificate);

        var xfcc = XfccParser.Parse(headers["X-Forwarded-Client-Cert"])[0];
        headers["X-Client-Cert-Subject"].Should().Be(XfccParser.Values(xfcc, "Subject").Single());
        Rfc4514.Value(headers["X-Client-Cert-Issuer"], "CN").Should().Be("Test Issuing CA");
        XfccParser.ParseList(headers["X-Client-Cert-Dns"]).Should().Equal(XfccParser.Values(xfcc, "DNS"));
        XfccParser.ParseList(headers["X-Client-Cert-Uri"]).Should().Equal(XfccParser.Values(xfcc, "URI"));
        headers["X-Client-Cert-Serial"].Should().Be(certificate.SerialNumber);
        headers["X-Client-Cert-Sha256"].Should().Be(certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());
        headers["X-Client-Cert-Not-After"].Should().Be(certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AllValues_TrickyCertificate_ArePrintableAscii()
    {
        var certificate = _pki.Own(TrickyCertificate.Issue(_pki.Intermediate)).Certificate;

        var headers = Headers(new IdentityHeaderOptions { XfccCert = true, ArrClientCert = true }, certificate);

        headers.Values.Should().AllSatisfy(v => v.Should().MatchRegex("^[\\x20-\\x7E]*$"));
        headers.Values.Should().NotContain(v => v.EndsWith(' ') || v.StartsWith(' '), "HTTP trims surrounding whitespace");
    }

    [Fact]
    public void Xfcc_CertRequested_CarriesUrlEncodedPemOfTheSameCertificate()
    {
        var certificate = _pki.IssueClient("pem-client").Certificate;

        var headers = Headers(new IdentityHeaderOptions { XfccCert = true }, certificate);

        var pem = Uri.UnescapeDataString(XfccParser.Values(XfccParser.Parse(headers["X-Forwarded-Client-Cert"])[0], "Cert").Single());
        pem.Should().StartWith("-----BEGIN CERTIFICATE-----");
        X509Certificate2.CreateFromPem(pem).RawData.Should().Equal(certificate.RawData);
    }

    [Fact]
    public void ArrClientCert_Enabled_IsBase64DerOfTheCertificate()
    {
        var certificate = _pki.IssueClient("arr-client").Certificate;

        var headers = Headers(new IdentityHeaderOptions { ArrClientCert = true }, certificate);

        Convert.FromBase64String(headers["X-ARR-ClientCert"]).Should().Equal(certificate.RawData);
    }

    [Fact]
    public void Options_PartsAndXfccOff_SendOnlyVerifiedAndPolicy()
    {
        var certificate = _pki.IssueClient("quiet-client").Certificate;

        var headers = Headers(new IdentityHeaderOptions { Xfcc = false, Parts = false }, certificate);

        headers.Keys.Should().BeEquivalentTo("X-Client-Cert-Verified", "X-Client-Cert-Policy");
        headers["X-Client-Cert-Verified"].Should().Be("SUCCESS");
    }

    [Fact]
    public void Renames_Configured_AreUsed()
    {
        var certificate = _pki.IssueClient("renamed-client").Certificate;
        var options = new IdentityHeaderOptions();
        options.Names["Subject"] = "X-Partner-Subject";
        options.Names["xfcc"] = "X-Partner-Xfcc";

        var headers = Headers(options, certificate);

        headers.Should().ContainKeys("X-Partner-Subject", "X-Partner-Xfcc").And.NotContainKeys("X-Client-Cert-Subject", "X-Forwarded-Client-Cert");
        headers["X-Partner-Subject"].Should().Be("CN=renamed-client,O=Partner,C=US");
    }

    [Fact]
    public void NoCertificate_SendsVerifiedNoneAndPolicyOnly()
    {
        var headers = Headers(new IdentityHeaderOptions { XfccCert = true, ArrClientCert = true }, certificate: null);

        headers.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["X-Client-Cert-Verified"] = "NONE",
            ["X-Client-Cert-Policy"] = "test-policy",
        });
    }

    [Theory]
    [InlineData("CN=Zoë", "CN=Zo\\C3\\AB")]
    [InlineData("CN=日", "CN=\\E6\\97\\A5")]
    [InlineData("CN=a\\0D\\0Ab", "CN=a\\0D\\0Ab")]
    [InlineData("CN=x,C=US\\ ", "CN=x,C=US\\20")]
    [InlineData("CN=100%", "CN=100%")]
    public void DistinguishedName_OutsidePrintableAscii_IsWrittenAsRfc4514HexPairs(string rfc4514, string expected)
    {
        HeaderValue.DistinguishedName(rfc4514).Should().Be(expected);
    }

    [Theory]
    [InlineData("spiffe://acme.test/p%20q", "spiffe://acme.test/p%20q")]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("tab\there", "tab%09here")]
    public void Name_ControlCharacters_ArePercentEncodedAndPercentIsKept(string value, string expected)
    {
        HeaderValue.Name(value).Should().Be(expected);
    }

    private Dictionary<string, string> Headers(IdentityHeaderOptions options, X509Certificate2? certificate)
    {
        var policy = new GatewayPolicy("test-policy", PolicyMode.Permissive, _pki.Store(), new Allowlist(new AllowOptions()), options);
        var set = IdentityHeaderSet.Create(policy, IdentityHeaderNames.For(options), certificate);
        set.Headers.Select(h => h.Key).Should().OnlyHaveUniqueItems();
        return set.Headers.ToDictionary(h => h.Key, h => h.Value);
    }
}
