using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;
using static MtlsGateway.Tests.Hardening.HostileExtensions;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// Chains that each break exactly one rule of RFC 5280 (§4.2 MUSTs, §6 path validation), plus the conformant chains
/// next to them: root (<see cref="TestPki.Root"/>, the trust anchor) → <see cref="CaName"/> (sent by the client) → leaf.
/// <see cref="PathValidationTests"/> checks the gateway's verdict and hint for each, <see cref="Rfc5280DifferentialTests"/>
/// compares them with <c>openssl verify -x509_strict -purpose sslclient</c>.
/// </summary>
internal static class Rfc5280Corpus
{
    public const string CaName = "CN=Path CA, O=Test, C=US";

    private const string BasicConstraints = "2.5.29.19";
    private const string KeyUsage = "2.5.29.15";
    private const string SubjectKeyId = "2.5.29.14";
    private const string AuthorityKeyId = "2.5.29.35";

    /// <summary>What the client sends: its certificate, then the CAs above it (the root is the store's).</summary>
    internal sealed record Chain(IssuedCertificate Leaf, IssuedCertificate[] Sent);

    private static readonly Dictionary<string, Func<TestPki, Chain>> Builders = new(StringComparer.Ordinal)
    {
        ["conformant"] = pki => Leaf(pki, Ca(pki)),

        // 4.2.1.9: CA certificates MUST carry basic constraints, critical, cA=TRUE; 4.2.1.3: keyCertSign only then.
        ["ca-bc-not-critical"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [new X509BasicConstraintsExtension(true, false, 0, critical: false)] })),
        ["ca-without-bc"] = pki => Leaf(pki, Ca(pki, s => s with { OmittedExtensions = [BasicConstraints] })),
        ["leaf-keycertsign-not-ca"] = pki => Leaf(pki, Ca(pki), s => s with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign }),
        ["leaf-pathlen-not-ca"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(BasicConstraints, [0x30, 0x03, 0x02, 0x01, 0x00], critical: true)] }),

        // 4.2.1.3: CA certificates MUST carry key usage, with keyCertSign; when present, at least one bit is set.
        ["ca-without-key-usage"] = pki => Leaf(pki, Ca(pki, s => s with { OmittedExtensions = [KeyUsage] })),
        ["ca-key-usage-without-keycertsign"] = pki => Leaf(pki, Ca(pki, s => s with { KeyUsage = X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature })),
        ["leaf-key-usage-no-bits"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(KeyUsage, [0x03, 0x01, 0x00], critical: true)] }),

        // 4.2.1.1/4.2.1.2: key identifiers — SKI in every CA, AKI keyIdentifier in every non-self-signed certificate,
        // equal to the issuer's SKI; both non-critical.
        ["ca-without-ski"] = pki => Leaf(pki, Ca(pki, s => s with { OmittedExtensions = [SubjectKeyId] })),
        ["ca-ski-critical"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [Critical(RandomSubjectKeyId())] })),
        ["ca-without-aki"] = pki => Leaf(pki, Ca(pki, s => s with { OmittedExtensions = [AuthorityKeyId] })),
        ["ca-aki-critical"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [Critical(AuthorityKeyIdOf(pki.Root))] })),
        ["ca-aki-mismatch"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(RandomNumberGenerator.GetBytes(20))] })),
        ["leaf-without-aki"] = pki => Leaf(pki, Ca(pki), s => s with { OmittedExtensions = [AuthorityKeyId] }),
        ["leaf-aki-without-key-id"] = pki =>
        {
            var ca = Ca(pki);
            return Leaf(pki, ca, s => s with { Extensions = [X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: false, includeIssuerAndSerial: true)] });
        },

        // 4.2.1.6: an empty subject puts the identity in a critical SAN; a SAN is never empty.
        ["leaf-empty-subject-critical-san"] = pki => Leaf(pki, Ca(pki), s => s with { Subject = string.Empty, DnsNames = ["orders.partner.test"] }),
        ["leaf-empty-subject-san-not-critical"] = pki => Leaf(pki, Ca(pki), s => s with { Subject = string.Empty, Extensions = [SubjectAltName(false, Dns("orders.partner.test"))] }),
        ["leaf-empty-subject-without-san"] = pki => Leaf(pki, Ca(pki), s => s with { Subject = string.Empty }),
        ["leaf-san-empty"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [SubjectAltName(false)] }),

        // 4.2.1.10: name constraints, every name form, permitted and excluded.
        ["nc-dns-inside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Dns("partner.test"))], null), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-dns-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Dns("partner.test"))], null), s => s with { DnsNames = ["orders.acme.test"] }),
        ["nc-dns-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Dns("secret.partner.test"))]), s => s with { DnsNames = ["api.secret.partner.test"] }),
        ["nc-dns-wildcard-inside-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Dns("partner.test"))]), s => s with { DnsNames = ["*.partner.test"] }),
        ["nc-dns-wildcard-covers-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Dns("secret.partner.test"))]), s => s with { DnsNames = ["*.partner.test"] }),
        ["nc-dns-wildcard-beside-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Dns("a.secret.partner.test"))]), s => s with { DnsNames = ["*.partner.test"] }),
        ["nc-cn-hostname-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Dns("partner.test"))], null), s => s with { Subject = "CN=orders.acme.test, O=Partner, C=US" }),
        ["nc-cn-plain-label-and-dns-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Dns("partner.test"))], null), s => s with { Subject = "CN=client, O=Partner, C=US" }),
        ["nc-email-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Email("partner.test"))], null), s => s with { Extensions = [SubjectAltName(false, Email("orders@acme.test"))] }),
        ["nc-email-in-subject-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Email("partner.test"))], null), s => s with { Subject = "CN=client, E=orders@acme.test, O=Partner, C=US" }),
        ["nc-uri-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Uri("acme.test"))]), s => s with { Uris = ["spiffe://acme.test/orders"] }),
        ["nc-uri-inside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Uri(".partner.test"))], null), s => s with { Uris = ["https://api.partner.test/orders"] }),
        ["nc-uri-without-host"] = pki => Constrained(pki, NameConstraints([Subtree(Uri(".partner.test"))], null), s => s with { Uris = ["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"] }),
        ["nc-ip-excluded"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Ip(10, 0, 0, 0, 255, 0, 0, 0))]), s => s with { Extensions = [SubjectAltName(false, Ip(10, 1, 2, 3))] }),
        ["nc-ip-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(Ip(192, 168, 0, 0, 255, 255, 0, 0))], null), s => s with { Extensions = [SubjectAltName(false, Ip(10, 1, 2, 3))] }),
        ["nc-ip-malformed-mask"] = pki => Constrained(pki, NameConstraints(null, [Subtree(Ip(10, 0, 0, 0, 255))]), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-dirname-outside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(DirectoryName("O=Other, C=US"))], null)),
        ["nc-dirname-inside-permitted"] = pki => Constrained(pki, NameConstraints([Subtree(DirectoryName("O=Partner, C=US"))], null)),
        ["nc-unsupported-form-present"] = pki => Constrained(pki, NameConstraints([Subtree(RegisteredId("1.3.6.1.4.1.55555.7"))], null), s => s with { Extensions = [SubjectAltName(false, RegisteredId("1.3.6.1.4.1.55555.8"))] }),
        ["nc-unsupported-form-absent"] = pki => Constrained(pki, NameConstraints([Subtree(RegisteredId("1.3.6.1.4.1.55555.7"))], null), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-empty-permitted"] = pki => Constrained(pki, NameConstraints([], null), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-empty"] = pki => Constrained(pki, NameConstraints(null, null), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-minimum-not-zero"] = pki => Constrained(pki, NameConstraints([Subtree(Dns("partner.test"), minimum: 1)], null), s => s with { DnsNames = ["orders.partner.test"] }),
        ["nc-in-leaf"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [NameConstraints([Subtree(Dns("partner.test"))], null)] }),

        // Extensions that do not parse, named by OID in the hint.
        ["malformed-aia"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension("1.3.6.1.5.5.7.1.1", Truncated, false)] }),
        ["malformed-cdp"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension("2.5.29.31", Truncated, false)] }),
        ["malformed-ski"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(SubjectKeyId, Truncated, false)] }),
        ["malformed-aki"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(AuthorityKeyId, Truncated, false)] }),
        ["malformed-ku"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(KeyUsage, Truncated, true)] }),
        ["malformed-eku"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension("2.5.29.37", Truncated, false)] }),
        ["malformed-bc"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension(BasicConstraints, Truncated, true)] }),
        ["malformed-san"] = pki => Leaf(pki, Ca(pki), s => s with { Extensions = [new X509Extension("2.5.29.17", Truncated, false)] }),
        ["malformed-nc"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [new X509Extension("2.5.29.30", Truncated, true)] })),

        // §6.1.4 (l): a self-issued certificate (a CA's key rollover) does not count against pathLenConstraint.
        ["pathlen-zero-over-self-issued"] = pki =>
        {
            var ca = Ca(pki, s => s with { PathLength = 0 });
            var rollover = pki.IssueCa(CaName, ca);
            return new Chain(pki.IssueClient(issuer: rollover), [rollover, ca]);
        },

        // §6.1.3-6.1.5 policies: requireExplicitPolicy 0 and a leaf without certificatePolicies.
        ["policy-explicit-required-none-given"] = pki => Leaf(pki, Ca(pki, s => s with { Extensions = [new X509Extension("2.5.29.36", [0x30, 0x03, 0x80, 0x01, 0x00], critical: true)] })),
    };

    public static IEnumerable<string> Names => Builders.Keys;

    public static Chain Build(string name, TestPki pki) => Builders[name](pki);

    private static IssuedCertificate Ca(TestPki pki, Func<CertificateSpec, CertificateSpec>? customize = null) =>
        pki.IssueCa(CaName, pki.Root, customize);

    private static Chain Leaf(TestPki pki, IssuedCertificate ca, Func<CertificateSpec, CertificateSpec>? customize = null) =>
        new(pki.IssueClient(customize: customize, issuer: ca), [ca]);

    private static Chain Constrained(TestPki pki, X509Extension constraints, Func<CertificateSpec, CertificateSpec>? leaf = null) =>
        Leaf(pki, Ca(pki, s => s with { Extensions = [constraints] }), leaf);

    private static X509Extension Critical(X509Extension extension) => new(extension.Oid!, extension.RawData, critical: true);

    // The SKI the generator would write needs the CA's key, which does not exist yet: any 20 bytes do (the leaf's AKI copies them).
    private static X509SubjectKeyIdentifierExtension RandomSubjectKeyId() => new X509SubjectKeyIdentifierExtension(RandomNumberGenerator.GetBytes(20), critical: false);

    private static X509AuthorityKeyIdentifierExtension AuthorityKeyIdOf(IssuedCertificate issuer) =>
        X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
}
