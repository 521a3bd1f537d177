using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// The CRLs the gateway refuses (RFC 5280 §5.2, §5.3), each with a CRL that breaks only that rule, as
/// <c>validate</c> and a reload report them: a configuration error at the CRL's entry naming the rule and the OID.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CrlProfileTests : IDisposable
{
    private const string Entry = "Gateway:TrustStores:partners:CrlFiles:1";

    private static readonly byte[] Null = [0x05, 0x00];

    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    public static TheoryData<string, string> Refusals => new()
    {
        { "unknown critical CRL extension", "is refused: it carries critical CRL extension 1.3.6.1.4.1.99999.1, which the gateway does not understand" },
        { "delta CRL", "is refused: delta CRLs are not supported: it carries Delta CRL Indicator (2.5.29.27); use the CA's complete (base) CRL" },
        { "critical Freshest CRL", "is refused: delta CRLs are not supported: it marks Freshest CRL (2.5.29.46) critical" },
        { "indirect CRL", "is refused: indirect CRLs are not supported: its Issuing Distribution Point (2.5.29.28) sets indirectCRL" },
        { "entry with Certificate Issuer", "is refused: indirect CRLs are not supported: the entry for serial 0A1B carries Certificate Issuer (2.5.29.29)" },
        { "unknown critical entry extension", "is refused: the entry for serial 0A1B carries critical extension 1.3.6.1.4.1.99999.2, which the gateway does not understand" },
        { "partitioned by reason", "is refused: CRLs partitioned by reason are not supported: its Issuing Distribution Point (2.5.29.28) sets onlySomeReasons" },
        { "attribute certificates only", "is refused: its Issuing Distribution Point (2.5.29.28) sets onlyContainsAttributeCerts" },
        { "user and CA certificates only", "does not parse as a CRL: Issuing Distribution Point (2.5.29.28) sets more than one of onlyContainsUserCerts, onlyContainsCACerts" },
        { "empty Issuing Distribution Point", "does not parse as a CRL: Issuing Distribution Point (2.5.29.28) is an empty sequence" },
        { "malformed CRL number", "does not parse as a CRL: CRL extension 2.5.29.20 is malformed" },
        { "repeated CRL number", "does not parse as a CRL: CRL extension 2.5.29.20 appears more than once" },
        { "undefined reason code", "does not parse as a CRL: the entry for serial 0A1B has reason code 07, which RFC 5280 does not define (2.5.29.21)" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Load_CrlBreakingOneRule_IsAConfigErrorNamingIt(string rule, string message)
    {
        var leaf = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        options.CrlFiles[1] = _pki.WriteBytes("broken.crl", Breaking(rule, leaf));

        var errors = new List<ConfigError>();
        TrustStoreLoader.Load("partners", options, _pki.Directory, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Path.Should().Be(Entry);
        errors[0].Message.Should().Contain($"'{options.CrlFiles[1]}' ").And.Contain(message);
    }

    [Fact]
    public void Load_CrlWithEveryKnownExtensionAndUnknownNonCriticalOnes_IsAccepted()
    {
        var leaf = _pki.IssueClient(customize: s => s with { SerialNumber = [0x0A, 0x1B] });
        var options = _pki.StoreOptions(RevocationCheck.Offline);
        var aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_pki.Intermediate.Certificate, true, false);
        var der = TestCrl.Sign(
            _pki.Intermediate,
            _pki.Now.AddHours(-1),
            _pki.Now.AddDays(1),
            [TestCrl.Revoking(leaf, _pki.Now.AddHours(-2), TestCrl.ReasonCode(X509RevocationReason.Superseded), new TestCrl.Extension("2.5.29.24", false, [0x18, 0x0F, .. "20260101000000Z"u8]), new TestCrl.Extension("1.3.6.1.4.1.99999.3", false, Null))],
            new TestCrl.Extension(aki.Oid!.Value!, false, aki.RawData),
            TestCrl.CrlNumber(42),
            new TestCrl.Extension("2.5.29.46", false, [0x30, 0x00]),
            new TestCrl.Extension("1.3.6.1.4.1.99999.4", false, Null));
        options.CrlFiles[1] = _pki.WriteBytes("full.crl", der);

        var store = _pki.LoadStore(options);

        var crl = store.FindCrl(_pki.Intermediate.Certificate)!;
        crl.CrlNumber.Should().Be(new BigInteger(42));
        crl.TryGetEntry(leaf.Certificate.SerialNumberBytes.Span, out var entry).Should().BeTrue();
        entry.Reason.Should().Be(X509RevocationReason.Superseded);
    }

    private byte[] Breaking(string rule, IssuedCertificate leaf)
    {
        TestCrl.Entry Listed(params TestCrl.Extension[] extensions) => TestCrl.Revoking(leaf, _pki.Now.AddHours(-2), extensions);
        byte[] Sign(TestCrl.Entry[] entries, params TestCrl.Extension[] extensions) =>
            TestCrl.Sign(_pki.Intermediate, _pki.Now.AddHours(-1), _pki.Now.AddDays(1), entries, extensions);

        return rule switch
        {
            "unknown critical CRL extension" => Sign([], new TestCrl.Extension("1.3.6.1.4.1.99999.1", true, Null)),
            "delta CRL" => Sign([], TestCrl.CrlNumber(2), TestCrl.DeltaCrlIndicator(1)),
            "critical Freshest CRL" => Sign([], new TestCrl.Extension("2.5.29.46", true, [0x30, 0x00])),
            "indirect CRL" => Sign([], TestCrl.IssuingDistributionPoint(indirect: true)),
            "entry with Certificate Issuer" => Sign([Listed(TestCrl.CertificateIssuer(_pki.Root.Certificate.SubjectName))]),
            "unknown critical entry extension" => Sign([Listed(new TestCrl.Extension("1.3.6.1.4.1.99999.2", true, Null))]),
            "partitioned by reason" => Sign([], TestCrl.IssuingDistributionPoint(onlySomeReasons: true)),
            "attribute certificates only" => Sign([], TestCrl.IssuingDistributionPoint(onlyAttribute: true)),
            "user and CA certificates only" => Sign([], TestCrl.IssuingDistributionPoint(onlyUser: true, onlyCa: true)),
            "empty Issuing Distribution Point" => Sign([], new TestCrl.Extension("2.5.29.28", true, [0x30, 0x00])),
            "malformed CRL number" => Sign([], new TestCrl.Extension("2.5.29.20", false, [0x04, 0x01, 0x01])),
            "repeated CRL number" => Sign([], TestCrl.CrlNumber(1), TestCrl.CrlNumber(2)),
            "undefined reason code" => Sign([Listed(new TestCrl.Extension("2.5.29.21", false, [0x0A, 0x01, 0x07]))]),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
    }
}
