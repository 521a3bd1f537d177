using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class CrlDistributionPointsTests
{
    [Fact]
    public void Parse_KeepsHttpUrlsInOrder_ReportsOthersAsIgnored()
    {
        var extension = CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(
            ["ldap://ldap.example/cn=crl", "http://a.example/1.crl", "https://b.example/2.crl", "file:///etc/3.crl", "http://c.example/4.crl"]);

        var points = CrlDistributionPoints.Parse(extension.RawData);

        points.HttpUrls.Should().Equal("http://a.example/1.crl", "http://c.example/4.crl");
        points.Ignored.Should().Equal("ldap://ldap.example/cn=crl", "https://b.example/2.crl", "file:///etc/3.crl");
        points.Problem.Should().BeNull();
    }

    [Fact]
    public void Parse_Malformed_GivesNoUrlAndSaysSo()
    {
        var points = CrlDistributionPoints.Parse([0x30, 0x05, 0xA0, 0x03, 0x86]);

        points.HttpUrls.Should().BeEmpty();
        points.Problem.Should().Contain("malformed");
    }
}
