using MtlsGateway.Cli;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Cli;

/// <summary><c>check</c> on a <c>Revocation: Online</c> store: it says that it fetches, and which fetched CRL (its URL) or
/// which OCSP responder decided each certificate, with its age. A real CRL distribution point and a real
/// <c>openssl ocsp</c> responder on loopback.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CheckRevocationEvidenceTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _pki = new();
    private CrlDistributionServer _server = null!;
    private CountingOcspProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await CrlDistributionServer.StartAsync();
        _proxy = await CountingOcspProxy.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Check_OnlineStore_SaysItFetches_AndNamesTheFetchedCrlUrlAndTheOcspResponder()
    {
        var crlCa = _pki.IssueCa("CN=Crl Issuing CA, O=Partner", _pki.Root);
        var ocspCa = _pki.IssueCa("CN=Ocsp Issuing CA, O=Partner", _pki.Root);
        var viaCrl = _pki.IssueClient("acme-orders-client", s => s with { CrlDistributionPoints = [_server.Url("issuing.crl")] }, crlCa);
        var viaOcsp = _pki.IssueClient("acme-orders-client", s => s with { OcspUrls = [_proxy.Url] }, ocspCa);
        _server.Publish("issuing.crl", CertificateAuthority.CreateCrl(crlCa, [], _pki.Now.AddHours(-2), _pki.Now.AddDays(1), 1));
        await using var responder = await OpensslOcspResponder.StartAsync(Path.Combine(_pki.Directory, "ocsp"), ocspCa, good: [viaOcsp]);
        _proxy.Upstream = responder.Url;
        var root = _pki.WritePem("root.pem", _pki.Root);
        var rootCrl = _pki.WriteCrl("root.crl", _pki.Root);
        using var folder = new ConfigFolder((c, _) =>
        {
            var store = c["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"] = new System.Text.Json.Nodes.JsonArray(root);
            store["CrlFiles"] = new System.Text.Json.Nodes.JsonArray(rootCrl);
            store["Revocation"] = "Online";
        });
        using var crlOutput = new StringWriter();
        using var ocspOutput = new StringWriter();

        var crlCode = CheckCommand.Execute(folder.ConfigPath, "acme-orders", _pki.WritePem("via-crl.pem", viaCrl, crlCa), null, null, crlOutput);
        var ocspCode = CheckCommand.Execute(folder.ConfigPath, "acme-orders", _pki.WritePem("via-ocsp.pem", viaOcsp, ocspCa), null, null, ocspOutput);

        crlCode.Should().Be(0, crlOutput.ToString());
        ocspCode.Should().Be(0, ocspOutput.ToString());
        var crlLines = crlOutput.ToString().Split('\n', StringSplitOptions.TrimEntries);
        crlLines.Should().Contain(l => l.StartsWith("trust store 'partners' has Revocation Online: ", StringComparison.Ordinal)
            && l.Contains("are fetched from their distribution points, else OCSP responders are asked, now (within RevocationTimeout 5 seconds)", StringComparison.Ordinal));
        crlLines.Should().Contain(l => l.StartsWith("revocation of CN=acme-orders-client", StringComparison.Ordinal)
            && l.Contains($": not listed in CRL fetched from {_server.Url("issuing.crl")} (fetched ", StringComparison.Ordinal)
            && l.Contains(" ago) of CN=Crl Issuing CA,O=Partner, issued 2 hours ago (", StringComparison.Ordinal));
        crlLines.Should().Contain(l => l.StartsWith("revocation of CN=Crl Issuing CA", StringComparison.Ordinal) && l.Contains(": not listed in CRL " + rootCrl, StringComparison.Ordinal));
        ocspOutput.ToString().Split('\n', StringSplitOptions.TrimEntries).Should().Contain(l => l.StartsWith("revocation of CN=acme-orders-client", StringComparison.Ordinal)
            && l.Contains($": good per OCSP responder {_proxy.Url} of CN=Ocsp Issuing CA,O=Partner, fetched ", StringComparison.Ordinal)
            && l.Contains(" ago, answer issued ", StringComparison.Ordinal) && l.Contains("next update in ", StringComparison.Ordinal));
    }
}
