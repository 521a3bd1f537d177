using System.Net;
using System.Text.Json;
using MtlsGateway.Tests.Identity.Spiffe;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A trust domain rotates its CA: ops replace the bundle file, and without a restart the new CA's SVIDs are
/// admitted, the old CA's refused with a hint naming the new bundle, and /config shows the new sequence. A broken
/// bundle file is a failed reload that keeps the last good bundle.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SpiffeBundleRotationTests
{
    private const string MeshHost = "mesh.partner.test";

    [Fact]
    public async Task BundleFileReplaced_NewCasSvidsAdmitted_OldCasRefused_BrokenFileKeepsTheLastGood()
    {
        using var a = new SpiffeTrustDomain("a.test");
        using var b = new SpiffeTrustDomain("b.test");
        var rotatedCa = a.NewCa(" 2");
        await using var host = await GatewayTestHost.StartAsync((config, directory) => SpiffeFederationTests.Configure(config, directory, a, b, nextCa: rotatedCa));
        var oldSvid = a.IssueSvid("orders");
        var newSvid = a.IssueSvid("orders", issuer: rotatedCa);
        var bundleFile = Path.Combine(host.Directory, "spiffe", "a.test.json");
        (await GetAsync(host, oldSvid)).Should().Be(HttpStatusCode.OK);

        await GatewayTestHost.ReplaceFileAsync(bundleFile, a.BundleJson(sequence: 8, refreshHint: 300, jwtKeys: 0, rotatedCa));
        await host.WaitForReloadAsync(2);

        (await GetAsync(host, newSvid)).Should().Be(HttpStatusCode.OK);
        var outcome = await TlsProbe.HandshakeAsync(host.Port(), MeshHost, SpiffeTrustDomain.Present(oldSvid));
        outcome.Completed.Should().BeFalse();
        var logged = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("PartialChain");
        LogSink.Property(logged, "Hint").Should().Contain("issuer CN=a.test SPIFFE CA,O=SPIFFE was not sent by the client nor found in the SPIFFE bundle of trust domain 'a.test' (bundle 'spiffe/a.test.json', sequence 8) in trust store 'mesh'");
        (await SequenceAsync(host)).Should().Be(8);

        await GatewayTestHost.ReplaceFileAsync(bundleFile, "{ \"keys\": [ ");
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        failed.RenderMessage().Should().Contain("Gateway:TrustStores:mesh:SpiffeBundles:a.test: 'spiffe/a.test.json' is not valid JSON");
        (await GetAsync(host, newSvid)).Should().Be(HttpStatusCode.OK, "a failed reload keeps the last good bundle");
        (await SequenceAsync(host)).Should().Be(8);
    }

    private static async Task<HttpStatusCode> GetAsync(GatewayTestHost host, MtlsGateway.Pki.IssuedCertificate svid)
    {
        using var client = host.CreateClientWith(MeshHost, SpiffeTrustDomain.Present(svid));
        try
        {
            return (await client.GetAsync("/anything")).StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0; // refused in the handshake
        }
    }

    private static async Task<long> SequenceAsync(GatewayTestHost host)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{host.AdminPort}/config"));
        return JsonDocument.Parse(text).RootElement.GetProperty("spiffeBundles").GetProperty("mesh").GetProperty("a.test").GetProperty("sequence").GetInt64();
    }
}
