using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FsCheck;
using FsCheck.Fluent;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Proxying;
using MtlsGateway.Tests.Policies;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>
/// Identity headers carry strings out of client certificates, which their holders choose. For arbitrary subjects and
/// SANs (control characters, CR/LF, quotes, backslashes, separators, non-ASCII, broken surrogates): the XFCC element
/// and the SAN lists are printable ASCII only, and the Envoy-grammar parser written from Envoy's documentation
/// (<see cref="XfccParser"/>) reads back exactly the documented encoding of every value.
/// </summary>
[Trait("Category", "Unit")]
public sealed class XfccEncoderFuzzTests
{
    private const int Runs = 500;

    private static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=xfcc-fuzz", key, HashAlgorithmName.SHA256);
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    });

    /// <summary>Strings weighted toward what breaks header encoders.</summary>
    private static Gen<string> Hostile { get; } = Gen.Frequency(
            (6, Gen.Choose(0x20, 0x7E).Select(c => (char)c)),
            (3, Gen.Elements(',', ';', '=', '"', '\\', ' ', '%', '*')),
            (2, Gen.Elements('\r', '\n', '\0', '\t', '\x7F', '\x1B')),
            (2, Gen.Elements('é', 'ß', '中', '\u200B', '\u2028', '\uFEFF')),
            (1, Gen.Elements('\uD83D', '\uDE00', '\uDC00')))
        .ArrayOf().Select(chars => new string(chars));

    private static Gen<CertificateIdentity> Identities { get; } =
        from subject in Hostile
        from dns in Hostile.ListOf()
        from uris in Hostile.ListOf()
        from hash in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32)
        select new CertificateIdentity(subject, "CN=issuer", null, "01", Convert.ToHexString(hash), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            [.. dns], [.. uris]);

    [Fact]
    public void Encode_ArbitraryIdentity_IsPrintableAsciiAndParsesBackToItsEncodedValues()
    {
        var input = Identities.Zip(Gen.Elements(true, false));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(input.ToArbitrary(), c =>
        {
            var (identity, withCert) = c;
            var header = XfccEncoder.Encode(identity, withCert ? Certificate.Value : null);

            header.Should().MatchRegex("^[\\x20-\\x7E]*$", "a header value holds printable ASCII only: no CR, LF or control byte");
            var elements = XfccParser.Parse(header);
            elements.Should().HaveCount(1, "a certificate's strings must never split the element");
            var element = elements[0];
            XfccParser.Values(element, "Hash").Should().Equal(identity.Sha256.ToLowerInvariant());
            XfccParser.Values(element, "Subject").Should().Equal(HeaderValue.DistinguishedName(identity.Subject));
            XfccParser.Values(element, "URI").Should().Equal(identity.Uris.Select(HeaderValue.Name));
            XfccParser.Values(element, "DNS").Should().Equal(identity.DnsNames.Select(HeaderValue.Name));
            if (withCert)
            {
                var pem = Uri.UnescapeDataString(XfccParser.Values(element, "Cert").Single());
                X509Certificate2.CreateFromPem(pem).RawData.Should().Equal(Certificate.Value.RawData);
            }

            return element.Count == 2 + (withCert ? 1 : 0) + identity.Uris.Count + identity.DnsNames.Count;
        }));
    }

    [Fact]
    public void List_ArbitrarySans_IsPrintableAsciiAndParsesBackItemByItem()
    {
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(Hostile.NonEmptyListOf().ToArbitrary(), values =>
        {
            var header = HeaderValue.List([.. values]);

            header.Should().MatchRegex("^[\\x20-\\x7E]*$");
            XfccParser.ParseList(header).Should().Equal(values.Select(HeaderValue.Name));
            return true;
        }));
    }

    [Fact]
    public void Name_PrintableAscii_IsLeftUnchanged()
    {
        var printable = Gen.Choose(0x20, 0x7E).Select(c => (char)c).ArrayOf().Select(chars => new string(chars));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(printable.ToArbitrary(), value => HeaderValue.Name(value) == value));
    }
}
