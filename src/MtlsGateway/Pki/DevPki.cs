using System.Numerics;
using System.Text;

namespace MtlsGateway.Pki;

/// <summary>
/// The development PKI that <c>mtls-gateway dev-certs</c> writes and <c>certs-dev/</c> ships: a partner
/// hierarchy (root → issuing CA → clients), a root nobody trusts, a server certificate, and one client
/// certificate per refusal the README demonstrates. Everything is ECDSA P-256 and valid ten years from
/// <c>now</c>, so a fresh clone works without running anything first.
/// </summary>
internal static class DevPki
{
    private const string DevOrganization = "O=MtlsGateway Dev";
    private const string AcmeOrganization = "O=Acme";

    // Ops tools warn on world-readable private keys: owner read/write only.
    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes the development PKI into <paramref name="outDirectory"/> (created if missing, files
    /// overwritten) and returns the paths written, in the order written.
    /// </summary>
    public static IReadOnlyList<string> Write(string outDirectory, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDirectory);
        Directory.CreateDirectory(outDirectory);
        var written = new List<string>();
        var notBefore = now.AddDays(-1);
        var notAfter = now.AddYears(10);

        using var root = CertificateAuthority.CreateSelfSigned(
            CaSpec("MtlsGateway Dev Partners Root CA", notBefore, notAfter));
        using var issuing = CertificateAuthority.Issue(
            root, CaSpec("MtlsGateway Dev Partners Issuing CA", notBefore, notAfter) with { PathLength = 0 });
        using var otherRoot = CertificateAuthority.CreateSelfSigned(
            CaSpec("MtlsGateway Dev Other Root CA", notBefore, notAfter));

        WritePair(outDirectory, "partners-root", root, chain: null, written);
        WritePair(outDirectory, "partners-intermediate", issuing, chain: null, written);
        WritePair(outDirectory, "other-root", otherRoot, chain: null, written);

        // Dev only: the partners root also signs the server certificate, so one
        // `--cacert certs-dev/partners-root.crt` lets curl verify the gateway.
        using var server = CertificateAuthority.Issue(root, new CertificateSpec
        {
            Subject = "CN=localhost, " + DevOrganization,
            NotBefore = notBefore,
            NotAfter = notAfter,
            DnsNames = ["localhost", "*.partner.test", "partner.test"],
            ExtendedKeyUsages = [Oids.ServerAuth],
        });
        WritePair(outDirectory, "server", server, chain: null, written);

        // The good client: the shipped config's acme-orders policy allows this CN.
        var good = ClientSpec("acme-orders-client", notBefore, notAfter) with
        {
            DnsNames = ["orders.acme.test"],
            Uris = ["spiffe://acme.test/orders/client"],
        };

        // Each bad client fails for exactly one reason: the ones with their own CN carry a DNS name the
        // shipped allowlist (*.acme.test) admits, and the look-alikes copy the good client's names, so
        // the refusal the gateway logs is the one the file name promises.
        using var client = CertificateAuthority.Issue(issuing, good);
        using var expired = CertificateAuthority.Issue(issuing, ClientSpec(
            "acme-expired-client", now.AddYears(-2), now.AddYears(-1)) with { DnsNames = ["expired.acme.test"] });
        using var notYetValid = CertificateAuthority.Issue(issuing, ClientSpec(
            "acme-future-client", now.AddYears(5), notAfter) with { DnsNames = ["future.acme.test"] });
        using var revoked = CertificateAuthority.Issue(issuing, ClientSpec(
            "acme-revoked-client", notBefore, notAfter) with { DnsNames = ["revoked.acme.test"] });
        using var otherCa = CertificateAuthority.Issue(otherRoot, good);
        using var noClientAuth = CertificateAuthority.Issue(issuing, good with { ExtendedKeyUsages = [Oids.ServerAuth] });
        using var spiffe = CertificateAuthority.Issue(issuing, ClientSpec(
            "acme-spiffe-workload", notBefore, notAfter) with { Uris = ["spiffe://acme.test/orders/worker-1"] });

        WritePair(outDirectory, "client", client, issuing, written);
        WritePair(outDirectory, "client-expired", expired, issuing, written);
        WritePair(outDirectory, "client-not-yet-valid", notYetValid, issuing, written);
        WritePair(outDirectory, "client-revoked", revoked, issuing, written);
        // It sends its own root along, as many clients do: the chain then ends at a root we do not trust.
        WritePair(outDirectory, "client-other-ca", otherCa, otherRoot, written);
        WritePair(outDirectory, "client-no-clientauth", noClientAuth, issuing, written);
        WritePair(outDirectory, "client-spiffe", spiffe, issuing, written);

        // A CRL for every partner CA, so an Offline trust store can check the whole chain.
        var thisUpdate = now.AddHours(-1);
        WriteCrl(outDirectory, "partners.crl", CertificateAuthority.CreateCrl(
            issuing, [revoked.Certificate.SerialNumberBytes.ToArray()], thisUpdate, notAfter, BigInteger.One), written);
        WriteCrl(outDirectory, "partners-root.crl", CertificateAuthority.CreateCrl(
            root, [], thisUpdate, notAfter, BigInteger.One), written);

        written.Add(WriteText(Path.Combine(outDirectory, "README.md"), Readme(now, notAfter)));
        return written;
    }

    private static CertificateSpec CaSpec(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter) => new()
    {
        Subject = "CN=" + commonName + ", " + DevOrganization,
        NotBefore = notBefore,
        NotAfter = notAfter,
        IsCertificateAuthority = true,
        ExtendedKeyUsages = null,
    };

    private static CertificateSpec ClientSpec(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter) => new()
    {
        Subject = "CN=" + commonName + ", " + AcmeOrganization,
        NotBefore = notBefore,
        NotAfter = notAfter,
    };

    /// <summary>Writes <c>name.crt</c> (the certificate, then <paramref name="chain"/> so curl sends it) and <c>name.key</c>.</summary>
    private static void WritePair(
        string directory, string name, IssuedCertificate certificate, IssuedCertificate? chain, List<string> written)
    {
        var pem = chain is null
            ? certificate.CertificatePem + "\n"
            : certificate.CertificatePem + "\n" + chain.CertificatePem + "\n";
        written.Add(WriteText(Path.Combine(directory, name + ".crt"), pem));
        written.Add(WriteKey(Path.Combine(directory, name + ".key"), certificate.KeyPem + "\n"));
    }

    private static void WriteCrl(string directory, string fileName, byte[] der, List<string> written) =>
        written.Add(WriteText(Path.Combine(directory, fileName), CertificateAuthority.CrlToPem(der) + "\n"));

    private static string WriteText(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    private static string WriteKey(string path, string pem)
    {
        if (OperatingSystem.IsWindows())
        {
            // No mode bits: the folder's ACL applies.
            return WriteText(path, pem);
        }

        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = KeyFileMode,
        });

        // UnixCreateMode only applies to a new file: narrow an existing one before the key goes in.
        File.SetUnixFileMode(stream.SafeFileHandle, KeyFileMode);
        stream.Write(Encoding.ASCII.GetBytes(pem));
        return path;
    }

    private static string Readme(DateTimeOffset now, DateTimeOffset notAfter) => $$"""
        # certs-dev — development PKI

        **Development only.** These private keys are committed on purpose so that a fresh clone runs
        the demo without generating anything; never trust these CAs outside a developer machine.
        Generated {{now:yyyy-MM-dd}}, valid until {{notAfter:yyyy-MM-dd}} (ten years). Regenerate with:

        ```sh
        mtls-gateway dev-certs --out certs-dev
        ```

        Everything is ECDSA P-256. Each `.crt` pairs with the `.key` of the same name (PKCS#8 PEM,
        written with mode 0600; git does not keep modes, so a clone has your umask's). Client `.crt`
        files hold the leaf then the issuing CA, so curl sends the chain.

        | file | what it is |
        | --- | --- |
        | `partners-root.crt` | CN=MtlsGateway Dev Partners Root CA: the partners trust anchor; also signs `server.crt` (dev only, so `--cacert certs-dev/partners-root.crt` works) |
        | `partners-intermediate.crt` | CN=MtlsGateway Dev Partners Issuing CA (pathLen 0): signs every partner client certificate |
        | `partners.crl` | the issuing CA's CRL; lists `client-revoked.crt` |
        | `partners-root.crl` | the root's CRL, empty: with it an Offline trust store has a CRL for every CA |
        | `other-root.crt` | CN=MtlsGateway Dev Other Root CA: a CA nobody trusts |
        | `server.crt` | CN=localhost; DNS `localhost`, `*.partner.test`, `partner.test`; serverAuth |
        | `client.crt` | CN=acme-orders-client, DNS `orders.acme.test`, URI `spiffe://acme.test/orders/client`: admitted |
        | `client-expired.crt` | CN=acme-expired-client, expired a year before generation: `Expired` |
        | `client-not-yet-valid.crt` | CN=acme-future-client, valid from five years after generation: `NotYetValid` |
        | `client-revoked.crt` | CN=acme-revoked-client, listed in `partners.crl`: `Revoked` |
        | `client-other-ca.crt` | CN=acme-orders-client issued by the other root, sent with that root (names alone are not trust): `UntrustedIssuer` |
        | `client-no-clientauth.crt` | CN=acme-orders-client with serverAuth usage only: `WrongUsage` |
        | `client-spiffe.crt` | CN=acme-spiffe-workload, URI `spiffe://acme.test/orders/worker-1` only: admitted by `Allow.Uris` |

        The bad clients otherwise carry names the `acme-orders` allowlist admits, so each is refused
        for the one reason in the table.

        """;
}
