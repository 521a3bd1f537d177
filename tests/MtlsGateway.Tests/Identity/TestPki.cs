using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// A throw-away PKI built at test time: a root, an issuing intermediate, clients issued on demand, and a
/// temp folder for PEM and CRL files (deleted on dispose). Everything is relative to <see cref="Now"/>,
/// so no certificate can go stale in the repository.
/// </summary>
internal sealed class TestPki : IDisposable
{
    public const string RootName = "CN=Test Root CA,O=Test,C=US";
    public const string IntermediateName = "CN=Test Issuing CA,O=Test,C=US";

    private readonly List<IssuedCertificate> _owned = [];

    /// <param name="now">The instant validity is relative to.</param>
    /// <param name="key">The CAs' key kind.</param>
    /// <param name="name">Names the CAs ("CN={name} Root CA, O={name}") for a PKI that must not share names with another (a partner's).</param>
    public TestPki(DateTimeOffset? now = null, KeyKind key = KeyKind.EcdsaP256, string? name = null)
    {
        Now = now ?? DateTimeOffset.UtcNow;
        Directory = System.IO.Directory.CreateTempSubdirectory("mtls-pki-").FullName;
        Root = Own(CreateRoot(name is null ? "CN=Test Root CA, O=Test, C=US" : $"CN={name} Root CA, O={name}, C=US", Now, key));
        Intermediate = IssueCa(name is null ? "CN=Test Issuing CA, O=Test, C=US" : $"CN={name} Issuing CA, O={name}, C=US", Root, key: key);
    }

    public DateTimeOffset Now { get; }

    /// <summary>Temp folder for this PKI's files.</summary>
    public string Directory { get; }

    public IssuedCertificate Root { get; }

    public IssuedCertificate Intermediate { get; }

    /// <summary>A self-signed CA valid from a year before <paramref name="now"/> to five years after; the caller disposes it.</summary>
    public static IssuedCertificate CreateRoot(string subject, DateTimeOffset now, KeyKind key = KeyKind.EcdsaP256) =>
        CertificateAuthority.CreateSelfSigned(CaSpec(subject, now, key));

    public IssuedCertificate IssueCa(string subject, IssuedCertificate issuer, Func<CertificateSpec, CertificateSpec>? customize = null, KeyKind key = KeyKind.EcdsaP256)
    {
        var spec = CaSpec(subject, Now, key);
        return Own(CertificateAuthority.Issue(issuer, customize is null ? spec : customize(spec)));
    }

    /// <summary>A client certificate (clientAuth, valid a day either side of <see cref="Now"/>) from the intermediate unless told otherwise.</summary>
    public IssuedCertificate IssueClient(string commonName = "client", Func<CertificateSpec, CertificateSpec>? customize = null, IssuedCertificate? issuer = null)
    {
        var spec = new CertificateSpec
        {
            Subject = $"CN={commonName}, O=Partner, C=US",
            NotBefore = Now.AddDays(-1),
            NotAfter = Now.AddDays(1),
        };
        return Own(CertificateAuthority.Issue(issuer ?? Intermediate, customize is null ? spec : customize(spec)));
    }

    /// <summary>Takes ownership of a certificate made elsewhere, disposing it with the PKI.</summary>
    public IssuedCertificate Own(IssuedCertificate certificate)
    {
        _owned.Add(certificate);
        return certificate;
    }

    /// <summary>Writes the certificates (no keys) as one PEM file; returns its full path.</summary>
    public string WritePem(string fileName, params IssuedCertificate[] certificates) =>
        WriteText(fileName, string.Concat(certificates.Select(c => c.CertificatePem + "\n")));

    public string WriteText(string fileName, string content)
    {
        var path = Path.Combine(Directory, fileName);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteBytes(string fileName, byte[] content)
    {
        var path = Path.Combine(Directory, fileName);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>DER CRL by <paramref name="issuer"/> listing <paramref name="revoked"/>; by default issued an hour ago, next update in a week.</summary>
    public byte[] CreateCrl(IssuedCertificate issuer, IEnumerable<IssuedCertificate>? revoked = null, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null) =>
        CertificateAuthority.CreateCrl(
            issuer,
            (revoked ?? []).Select(c => c.Certificate.SerialNumberBytes.ToArray()),
            thisUpdate ?? Now.AddHours(-1),
            nextUpdate ?? Now.AddDays(7),
            BigInteger.One);

    /// <summary>Writes a CRL (PEM unless <paramref name="pem"/> is false); returns its full path.</summary>
    public string WriteCrl(string fileName, IssuedCertificate issuer, IEnumerable<IssuedCertificate>? revoked = null, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null, bool pem = true)
    {
        var der = CreateCrl(issuer, revoked, thisUpdate, nextUpdate);
        return pem ? WriteText(fileName, CertificateAuthority.CrlToPem(der)) : WriteBytes(fileName, der);
    }

    /// <summary>Options naming root.pem and intermediate.pem; with Offline revocation, empty CRLs of both CAs too.</summary>
    public TrustStoreOptions StoreOptions(RevocationCheck revocation = RevocationCheck.None)
    {
        var options = new TrustStoreOptions
        {
            CaFiles = [WritePem("root.pem", Root), WritePem("intermediate.pem", Intermediate)],
            Revocation = revocation,
        };
        if (revocation == RevocationCheck.Offline)
        {
            options.CrlFiles = [WriteCrl("root.crl", Root), WriteCrl("intermediate.crl", Intermediate)];
        }

        return options;
    }

    /// <summary>Loads <paramref name="options"/> and fails the test on any configuration error.</summary>
    public TrustStore LoadStore(TrustStoreOptions options, string name = "partners")
    {
        var errors = new List<ConfigError>();
        var store = TrustStoreLoader.Load(name, options, Directory, errors);
        errors.Should().BeEmpty();
        return store!;
    }

    public TrustStore Store(RevocationCheck revocation = RevocationCheck.None, Action<TrustStoreOptions>? customize = null)
    {
        var options = StoreOptions(revocation);
        customize?.Invoke(options);
        return LoadStore(options);
    }

    public void Dispose()
    {
        foreach (var certificate in _owned)
        {
            certificate.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static CertificateSpec CaSpec(string subject, DateTimeOffset now, KeyKind key) => new()
    {
        Subject = subject,
        NotBefore = now.AddYears(-1),
        NotAfter = now.AddYears(5),
        IsCertificateAuthority = true,
        ExtendedKeyUsages = null,
        Key = key,
    };
}
