using System.Net.Security;
using System.Text;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Passthrough;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// One real gateway's <c>/metrics</c> after the traffic the shipped dashboards and alerts are about: admitted and
/// refused requests, a refused handshake, a CRL fetched from a distribution point (<c>Revocation: Online</c>), an OCSP
/// responder that does not answer, a partner certificate in the registry, an applied and a refused reload, and a
/// passthrough connection. Built once per test class.
/// </summary>
public sealed class ScrapeAfterTraffic : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    internal PrometheusText Metrics { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var pki = new TestPki();
        var issuing = pki.IssueCa("CN=Monitoring Issuing CA, O=Partner", pki.Root);
        await using var crls = await CrlDistributionServer.StartAsync();
        crls.Publish("issuing.crl", CertificateAuthority.CreateCrl(issuing, [], pki.Now.AddHours(-1), pki.Now.AddDays(1), 1));
        var fetched = pki.IssueClient("acme-orders-client", s => s with { CrlDistributionPoints = [crls.Url("issuing.crl")] }, issuing);
        var ocspDown = pki.IssueClient("acme-orders-client", s => s with
        {
            Subject = "CN=acme-orders-client, OU=ocsp, O=Partner",
            OcspUrls = [$"http://127.0.0.1:{PassthroughSetup.RefusedPort()}/"],
        }, issuing);

        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var destination = RawBackend.Start(async socket =>
        {
            await RawBackend.ReadToEndAsync(socket, Bounded);
            await socket.SendAsync(Encoding.ASCII.GetBytes("relayed"));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            PassthroughSetup.Entry(destination.Port)(config, directory);
            var store = config["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"]!.AsArray().Add(pki.WritePem("monitoring-root.pem", pki.Root));
            store["CaFiles"]!.AsArray().Add(pki.WritePem("monitoring-issuing.pem", issuing));
            store["CrlFiles"]!.AsArray().Add(pki.WriteCrl("monitoring-root.crl", pki.Root));
            store["Revocation"] = "Online";
        });

        foreach (var (certificate, chain) in new[] { (fetched, issuing), (ocspDown, issuing) })
        {
            using var partner = host.CreateClientWith("localhost", SslStreamCertificateContext.Create(certificate.Certificate, [chain.PublicOnly()], offline: true));
            using var _ = await partner.GetAsync(new Uri("/orders/1", UriKind.Relative));
        }

        using (var client = host.CreateClient())
        {
            using var admitted = await client.GetAsync(new Uri("/orders/1", UriKind.Relative));
            admitted.EnsureSuccessStatusCode();
        }

        using (var expired = host.CreateClient(certificate: "client-expired"))
        {
            using var refused = await expired.GetAsync(new Uri("/orders/1", UriKind.Relative));
        }

        using (var socket = await PassthroughSetup.ConnectAsync(host.Port()))
        {
            await socket.SendAsync(hello);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await RawBackend.ReadToEndAsync(socket, Bounded);
        }

        await host.Logs.WaitForAsync("PassthroughClosed");
        await host.EditConfigAsync(c => c["Gateway"]!["Policies"]!["open-status"]!["InvalidCertificate"] = "Report");
        await host.WaitForReloadAsync(2);
        await host.EditConfigAsync(c => c["Gateway"]!["DefaultPolicy"] = "no-such-policy");
        await host.Logs.WaitForAsync("ConfigReloadFailed");

        Metrics = await PrometheusText.ScrapeUntilAsync(host.AdminPort, m =>
            m.Samples.Any(s => s.Name == "mtls_gateway_passthrough_bytes_total") && m.Samples.Any(s => s.Name == "mtls_gateway_ocsp_requests_total"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Whether the scrape has a series of <paramref name="metric"/> (a histogram's by its _bucket, _sum, _count).</summary>
    public bool Has(string metric) => Metrics.Samples.Any(s => s.Name == metric);
}
