using System.Buffers.Text;
using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Identity.Spiffe;

/// <summary>
/// A SPIFFE trust domain made for a test: its signing CA (a root, as SPIRE's is by default), X509-SVIDs it issues, and
/// its trust bundle written as the SPIFFE bundle format (a JWK Set whose x509-svid key carries the CA in x5c).
/// </summary>
internal sealed class SpiffeTrustDomain : IDisposable
{
    private readonly List<IssuedCertificate> _owned = [];

    public SpiffeTrustDomain(string name, DateTimeOffset? now = null)
    {
        Name = name;
        Now = now ?? DateTimeOffset.UtcNow;
        Ca = NewCa();
    }

    public string Name { get; }

    public DateTimeOffset Now { get; }

    public IssuedCertificate Ca { get; }

    /// <summary>Another signing CA of this trust domain (a rotation's new CA).</summary>
    public IssuedCertificate NewCa(string generation = "") =>
        Own(TestPki.CreateRoot($"CN={Name} SPIFFE CA{generation}, O=SPIFFE", Now));

    /// <summary>An X509-SVID for <c>spiffe://{Name}/{path}</c>, by this trust domain's CA unless told otherwise.</summary>
    public IssuedCertificate IssueSvid(string path, Func<CertificateSpec, CertificateSpec>? customize = null, IssuedCertificate? issuer = null)
    {
        var spec = new CertificateSpec
        {
            Subject = $"CN={path}, O={Name}",
            NotBefore = Now.AddHours(-1),
            NotAfter = Now.AddDays(1),
            Uris = [$"spiffe://{Name}/{path}"],
        };
        return Own(CertificateAuthority.Issue(issuer ?? Ca, customize is null ? spec : customize(spec)));
    }

    /// <summary>A SAN extension with URIs exactly as given: <see cref="Uri"/> would normalise the malformed IDs tests need.</summary>
    public static X509Extension RawUriSan(params string[] uris)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: false);
    }

    /// <summary>The bundle of this trust domain's CA (or of <paramref name="authorities"/>), as a SPIFFE bundle document.</summary>
    public string BundleJson(long? sequence = 1, long? refreshHint = 300, int jwtKeys = 0, params IssuedCertificate[] authorities) =>
        Bundle(sequence, refreshHint, jwtKeys, authorities.Length == 0 ? [Ca.Certificate] : [.. authorities.Select(a => a.Certificate)]);

    /// <summary>A SPIFFE bundle document: one x509-svid key per CA (x5c: its DER), and <paramref name="jwtKeys"/> jwt-svid keys.</summary>
    public static string Bundle(long? sequence, long? refreshHint, int jwtKeys, IEnumerable<X509Certificate2> authorities)
    {
        var keys = new JsonArray();
        foreach (var ca in authorities)
        {
            var key = EcKey(ca.GetECDsaPublicKey()!);
            key["use"] = "x509-svid";
            key["x5c"] = new JsonArray(Convert.ToBase64String(ca.RawData));
            keys.Add(key);
        }

        for (var i = 0; i < jwtKeys; i++)
        {
            using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var key = EcKey(signing);
            key["use"] = "jwt-svid";
            key["kid"] = $"jwt-{i}";
            keys.Add(key);
        }

        var bundle = new JsonObject();
        if (sequence is { } s)
        {
            bundle["spiffe_sequence"] = s;
        }

        if (refreshHint is { } r)
        {
            bundle["spiffe_refresh_hint"] = r;
        }

        bundle["keys"] = keys;
        return bundle.ToJsonString();
    }

    /// <summary>What a TLS client presents: the SVID alone (workloads send their leaf; the CA is a root).</summary>
    public static SslStreamCertificateContext Present(IssuedCertificate svid) => SslStreamCertificateContext.Create(svid.Certificate, [], offline: true);

    public void Dispose()
    {
        foreach (var certificate in _owned)
        {
            certificate.Dispose();
        }
    }

    private IssuedCertificate Own(IssuedCertificate certificate)
    {
        _owned.Add(certificate);
        return certificate;
    }

    private static JsonObject EcKey(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        using (key)
        {
            return new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["x"] = Base64Url.EncodeToString(parameters.Q.X),
                ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
            };
        }
    }
}
