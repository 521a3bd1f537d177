using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// Each RFC 5280 rule of <see cref="PathValidation"/> with a chain of <see cref="Rfc5280Corpus"/> that breaks only it: the
/// Reason and the hint a user sees (log, 403 body, <c>mtls-gateway check</c>); the conformant neighbours are admitted.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PathValidationTests : IDisposable
{
    private const string Ca = "issuing CA CN=Path CA,O=Test,C=US";
    private const string Client = "client certificate CN=client,O=Partner,C=US";

    private readonly TestPki _pki = new();
    private readonly CertificateVerifier _verifier = new();

    public void Dispose() => _pki.Dispose();

    public static TheoryData<string, RejectReason, string> Refused => new()
    {
        { "ca-bc-not-critical", RejectReason.UntrustedIssuer, $"{Ca} marks basic constraints (CA=true) non-critical; RFC 5280 4.2.1.9" },
        { "ca-without-bc", RejectReason.UntrustedIssuer, "CN=Path CA,O=Test,C=US issued CN=client,O=Partner,C=US but is not a CA certificate" },
        { "leaf-keycertsign-not-ca", RejectReason.WrongUsage, $"{Client} asserts keyCertSign in key usage without basic constraints CA=true" },
        { "leaf-pathlen-not-ca", RejectReason.WrongUsage, $"{Client} has a pathLenConstraint in basic constraints without CA=true" },
        { "ca-without-key-usage", RejectReason.UntrustedIssuer, $"{Ca} has no key usage extension; RFC 5280 4.2.1.3" },
        { "ca-key-usage-without-keycertsign", RejectReason.UntrustedIssuer, "CN=Path CA,O=Test,C=US issued CN=client,O=Partner,C=US but is not a CA certificate" },
        { "leaf-key-usage-no-bits", RejectReason.BadSignature, $"{Client} has a malformed key usage extension (2.5.29.15): no usage bit is set" },
        { "ca-without-ski", RejectReason.UntrustedIssuer, $"{Ca} has no subject key identifier; RFC 5280 4.2.1.2" },
        { "ca-ski-critical", RejectReason.UntrustedIssuer, $"{Ca} marks its subject key identifier critical" },
        { "ca-without-aki", RejectReason.UntrustedIssuer, $"{Ca} has no authority key identifier; RFC 5280 4.2.1.1" },
        { "ca-aki-critical", RejectReason.UntrustedIssuer, $"{Ca} marks its authority key identifier critical" },
        { "ca-aki-mismatch", RejectReason.BadSignature, "issuer CN=Test Root CA,O=Test,C=US is known to trust store 'partners' but its key did not sign CN=Path CA,O=Test,C=US" },
        { "leaf-without-aki", RejectReason.BadSignature, $"{Client} has no authority key identifier; RFC 5280 4.2.1.1" },
        { "leaf-aki-without-key-id", RejectReason.BadSignature, $"{Client} has an authority key identifier without keyIdentifier" },
        { "leaf-empty-subject-san-not-critical", RejectReason.BadSignature, "client certificate (empty subject) has an empty subject and a subject alternative name not marked critical" },
        { "leaf-empty-subject-without-san", RejectReason.BadSignature, "client certificate (empty subject) has an empty subject and no subject alternative name" },
        { "leaf-san-empty", RejectReason.BadSignature, $"{Client} has a malformed subject alternative name extension (2.5.29.17): the list of names is empty" },
        { "nc-dns-outside-permitted", RejectReason.UntrustedIssuer, $"{Client}: DNS orders.acme.test is not within any permitted subtree (DNS partner.test) in the name constraints of {Ca}" },
        { "nc-dns-excluded", RejectReason.UntrustedIssuer, $"{Client}: DNS api.secret.partner.test is within excluded subtree DNS secret.partner.test" },
        { "nc-dns-wildcard-inside-excluded", RejectReason.UntrustedIssuer, $"{Client}: DNS *.partner.test is within excluded subtree DNS partner.test" },
        { "nc-dns-wildcard-covers-excluded", RejectReason.UntrustedIssuer, $"{Client}: DNS *.partner.test is a wildcard that covers names in excluded subtree DNS secret.partner.test" },
        { "nc-cn-hostname-outside-permitted", RejectReason.UntrustedIssuer, "client certificate CN=orders.acme.test,O=Partner,C=US: DNS orders.acme.test is not within any permitted subtree (DNS partner.test)" },
        { "nc-email-outside-permitted", RejectReason.UntrustedIssuer, $"{Client}: email orders@acme.test is not within any permitted subtree (email partner.test)" },
        { "nc-email-in-subject-outside-permitted", RejectReason.UntrustedIssuer, "email orders@acme.test is not within any permitted subtree (email partner.test)" },
        { "nc-uri-excluded", RejectReason.UntrustedIssuer, $"{Client}: URI spiffe://acme.test/orders is within excluded subtree URI acme.test" },
        { "nc-uri-without-host", RejectReason.UntrustedIssuer, "URI urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66 is a URI without a host, which URI constraints cannot be applied to" },
        { "nc-ip-excluded", RejectReason.UntrustedIssuer, $"{Client}: IP 10.1.2.3 is within excluded subtree IP 10.0.0.0/255.0.0.0" },
        { "nc-ip-outside-permitted", RejectReason.UntrustedIssuer, $"{Client}: IP 10.1.2.3 is not within any permitted subtree (IP 192.168.0.0/255.255.0.0)" },
        { "nc-ip-malformed-mask", RejectReason.BadSignature, $"{Ca} has a malformed name constraints extension (2.5.29.30): excludedSubtrees: iPAddress subtree of 5 bytes" },
        { "nc-dirname-outside-permitted", RejectReason.UntrustedIssuer, $"{Client}: DirName CN=client,O=Partner,C=US is not within any permitted subtree (DirName O=Other,C=US)" },
        { "nc-unsupported-form-present", RejectReason.UntrustedIssuer, "registeredID 1.3.6.1.4.1.55555.8 is of a form the CA constrains (registeredID 1.3.6.1.4.1.55555.7) that the gateway cannot compare" },
        { "nc-empty-permitted", RejectReason.BadSignature, $"{Ca} has a malformed name constraints extension (2.5.29.30): permittedSubtrees is empty" },
        { "nc-empty", RejectReason.BadSignature, $"{Ca} has a malformed name constraints extension (2.5.29.30): neither permittedSubtrees nor excludedSubtrees is present" },
        { "nc-minimum-not-zero", RejectReason.BadSignature, $"{Ca} has a malformed name constraints extension (2.5.29.30): permittedSubtrees: subtree DNS partner.test has minimum 1" },
        { "nc-in-leaf", RejectReason.BadSignature, $"{Client} carries name constraints; RFC 5280 4.2.1.10 allows them only in CA certificates" },
        { "malformed-aia", RejectReason.BadSignature, $"{Client} has a malformed authority information access extension (1.3.6.1.5.5.7.1.1)" },
        { "malformed-cdp", RejectReason.BadSignature, $"{Client} has a malformed CRL distribution points extension (2.5.29.31)" },
        { "malformed-ski", RejectReason.BadSignature, $"{Client} has a malformed subject key identifier extension (2.5.29.14)" },
        { "malformed-aki", RejectReason.BadSignature, $"{Client} has a malformed authority key identifier extension (2.5.29.35)" },
        { "malformed-ku", RejectReason.BadSignature, $"{Client} has a malformed key usage extension (2.5.29.15)" },
        { "malformed-eku", RejectReason.BadSignature, $"{Client} has a malformed extended key usage extension (2.5.29.37)" },
        { "malformed-bc", RejectReason.BadSignature, $"{Client} has a malformed basic constraints extension (2.5.29.19)" },
        { "malformed-san", RejectReason.BadSignature, $"{Client} has a malformed subject alternative name extension (2.5.29.17)" },
        { "malformed-nc", RejectReason.BadSignature, $"{Ca} has a malformed name constraints extension (2.5.29.30)" },
    };

    private static readonly string[] AdmittedNames =
    [
        "conformant", "leaf-empty-subject-critical-san", "nc-dns-inside-permitted", "nc-dns-wildcard-beside-excluded", "nc-cn-plain-label-and-dns-permitted",
        "nc-uri-inside-permitted", "nc-dirname-inside-permitted", "nc-unsupported-form-absent", "pathlen-zero-over-self-issued", "policy-explicit-required-none-given",
    ];

    public static TheoryData<string> Admitted => new(AdmittedNames);

    [Theory]
    [MemberData(nameof(Refused))]
    public void Verify_ChainBreakingOneRule_IsRefusedWithReasonAndHint(string name, RejectReason reason, string hint)
    {
        var result = Verify(name);

        result.IsValid.Should().BeFalse();
        result.Reason.Should().Be(reason, result.Hint);
        result.Hint.Should().Contain(hint);
    }

    [Theory]
    [MemberData(nameof(Admitted))]
    public void Verify_ConformantChain_IsAdmitted(string name)
    {
        var result = Verify(name);

        result.IsValid.Should().BeTrue(result.Hint);
    }

    [Fact]
    public void Corpus_EveryCase_IsCoveredHere() =>
        Refused.Select(r => (string)r[0]).Concat(AdmittedNames).Should().BeEquivalentTo(Rfc5280Corpus.Names);

    private VerificationResult Verify(string name)
    {
        var chain = Rfc5280Corpus.Build(name, _pki);
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("root.pem", _pki.Root)]);
        using var leaf = chain.Leaf.PublicOnly();
        var sent = new X509Certificate2Collection(chain.Sent.Select(c => c.PublicOnly()).ToArray());
        try
        {
            return _verifier.Verify(leaf, sent, store, _pki.Now);
        }
        finally
        {
            foreach (var certificate in sent)
            {
                certificate.Dispose();
            }
        }
    }
}
