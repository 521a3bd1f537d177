using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Writes the hostile clients of <see cref="HostileClient"/> into a development PKI folder (the one <c>DevPki</c> wrote):
/// <c>hostile-*.crt</c> (leaf, then the chain the client sends) and <c>.key</c>; the extra CAs they need in
/// <see cref="CaBundle"/>, each with an empty CRL under <see cref="CrlFolder"/>, so a gateway and nginx can be given the
/// very same CA and CRL files.
/// </summary>
internal sealed class HostilePki
{
    /// <summary>The depth the fixtures configure: <see cref="HostileClient.ChainAtMaxDepth"/> has exactly this many intermediates.</summary>
    public const int MaxChainDepth = 2;

    public const string CaBundle = "hostile-cas.pem";

    public const string CrlFolder = "hostile-crls";

    private const string Dev = "O=MtlsGateway Dev";
    private const string GoodClient = "CN=acme-orders-client, O=Acme";

    private readonly string _folder;
    private readonly DateTimeOffset _now;
    private readonly List<IssuedCertificate> _cas = [];

    private HostilePki(string folder, DateTimeOffset now)
    {
        _folder = folder;
        _now = now;
    }

    /// <summary>Files a client certificate lives in, relative to the PKI folder, without extension.</summary>
    public static string FileOf(HostileClient client) => client == HostileClient.ServerAuthOnly
        ? "client-no-clientauth" // the development PKI's own serverAuth-only client
        : "hostile-" + client;

    public static void Write(string folder, DateTimeOffset now)
    {
        var pki = new HostilePki(folder, now);
        try
        {
            pki.WriteAll();
        }
        finally
        {
            foreach (var ca in pki._cas)
            {
                ca.Dispose();
            }
        }
    }

    private void WriteAll()
    {
        using var root = TestPkiDirectory.Load(_folder, "partners-root");
        using var issuing = TestPkiDirectory.Load(_folder, "partners-intermediate"); // pathLen 0

        var rsaCa = TrustedCa("CN=Hostile RSA Issuing CA, " + Dev, root, s => s with { Key = KeyKind.Rsa2048 });
        var constrainedCa = TrustedCa("CN=Hostile Constrained CA, " + Dev, root, s => s with { Extensions = [HostileExtensions.PermittedDnsSubtree("partner-a.test")] });
        var belowPathLenZero = TrustedCa("CN=Hostile Sub CA below pathLen 0, " + Dev, issuing);
        var depth1 = TrustedCa("CN=Hostile Depth 1 CA, " + Dev, root);
        var depth2 = TrustedCa("CN=Hostile Depth 2 CA, " + Dev, depth1);
        var depth3 = TrustedCa("CN=Hostile Depth 3 CA, " + Dev, depth2);
        File.WriteAllText(Path.Combine(_folder, CaBundle), string.Concat(_cas.Select(c => c.CertificatePem + "\n")));

        Leaf(HostileClient.Rsa1024Key, issuing, s => s with { Key = KeyKind.Rsa1024 });
        Leaf(HostileClient.Sha1Signature, rsaCa, s => s with { SignatureHash = HashAlgorithmName.SHA1, SignatureGenerator = LegacySignatureGenerator.For });
        Leaf(HostileClient.Md5Signature, rsaCa, s => s with { SignatureHash = HashAlgorithmName.MD5, SignatureGenerator = LegacySignatureGenerator.For });
        Leaf(HostileClient.UnknownCriticalExtension, issuing, s => s with { Extensions = [HostileExtensions.UnknownCritical()] });
        Leaf(HostileClient.NameConstraintViolation, constrainedCa, s => s with { DnsNames = ["orders.acme.test"] });
        Leaf(HostileClient.PathLengthViolation, belowPathLenZero);
        Leaf(HostileClient.SanOnlyEmptySubject, issuing, s => s with { Subject = string.Empty, Uris = ["spiffe://acme.test/orders/san-only"] });
        Leaf(HostileClient.ChainAtMaxDepth, depth2);
        Leaf(HostileClient.ChainTooDeep, depth3);
        // 32 KiB passes the TLS layer and meets MaxCertificateSize; 64 KiB is refused by the TLS layer itself.
        Leaf(HostileClient.Oversized, issuing, s => s with { Extensions = [HostileExtensions.Padding(32 * 1024)] });
        Leaf(HostileClient.OversizedBeyondTls, issuing, s => s with { Extensions = [HostileExtensions.Padding(64 * 1024)] });

        // An end-entity certificate (CA=false, yet keyCertSign) used as an issuer; the client sends it along.
        using var notCa = CertificateAuthority.Issue(root, Spec("CN=Hostile Not-A-CA, " + Dev) with
        {
            KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign,
        });
        Leaf(HostileClient.IssuerNotCa, notCa, sendIssuer: true);

        // Same issuer NAME as the partners' issuing CA, another key: a forgery. The client sends the leaf alone.
        using var impostor = CertificateAuthority.CreateSelfSigned(Spec(issuing.Certificate.Subject) with { IsCertificateAuthority = true, ExtendedKeyUsages = null });
        Leaf(HostileClient.WrongIssuerKey, impostor, sendIssuer: false);
    }

    private IssuedCertificate TrustedCa(string subject, IssuedCertificate issuer, Func<CertificateSpec, CertificateSpec>? edit = null)
    {
        var spec = Spec(subject) with { IsCertificateAuthority = true, ExtendedKeyUsages = null, NotAfter = _now.AddYears(5) };
        var ca = CertificateAuthority.Issue(issuer, edit is null ? spec : edit(spec));
        _cas.Add(ca);
        var crl = CertificateAuthority.CreateCrl(ca, [], _now.AddHours(-1), _now.AddYears(5), BigInteger.One);
        Directory.CreateDirectory(Path.Combine(_folder, CrlFolder));
        File.WriteAllText(Path.Combine(_folder, CrlFolder, $"ca-{_cas.Count}.crl"), CertificateAuthority.CrlToPem(crl) + "\n");
        return ca;
    }

    private void Leaf(HostileClient client, IssuedCertificate issuer, Func<CertificateSpec, CertificateSpec>? edit = null, bool sendIssuer = true)
    {
        var spec = Spec(GoodClient);
        using var leaf = CertificateAuthority.Issue(issuer, edit is null ? spec : edit(spec));
        var chain = sendIssuer ? issuer.CertificatePem + "\n" : string.Empty;
        File.WriteAllText(Path.Combine(_folder, FileOf(client) + ".crt"), leaf.CertificatePem + "\n" + chain);
        File.WriteAllText(Path.Combine(_folder, FileOf(client) + ".key"), leaf.KeyPem + "\n");
    }

    private CertificateSpec Spec(string subject) => new()
    {
        Subject = subject,
        NotBefore = _now.AddDays(-1),
        NotAfter = _now.AddDays(30),
    };
}
