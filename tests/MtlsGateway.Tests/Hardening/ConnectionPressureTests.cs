using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Deploy;
using MtlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Thousands of completed TLS connections held open and idle against the real gateway binary: the gateway keeps
/// them all, records what they cost (its resident memory and descriptors, printed with the test output and quoted
/// in docs/security.md), still admits a good client, and lets them all go when they close.
/// </summary>
[Collection(ResourceHeavyTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ConnectionPressureTests(ITestOutputHelper output)
{
    private const int Connections = 2000;

    [Fact]
    public async Task IdleTlsConnections_ThousandsHeld_AreKeptAndGoodClientIsAdmitted()
    {
        var backendPort = RepositoryPaths.FreePort();
        using var folder = new ConfigFolder((config, _) =>
        {
            config["Gateway"]!["DemoBackend"] = new JsonObject { ["Url"] = $"http://127.0.0.1:{backendPort}" };
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = $"http://127.0.0.1:{backendPort}/";
        });
        await using var gateway = GatewayInstance.Start("pressure", folder.ConfigPath);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var pid = ProcessResources.FindByArgument(folder.ConfigPath);
        using var client = GoodClient.Create(folder, gateway.Port);

        // Warm the handshake and request paths first, so the measurement is of connections, not of JIT and pools.
        await using (await HeldConnections.OpenAsync(gateway.Port, "localhost", 100, TimeSpan.FromSeconds(30)))
        {
            (await client.GetAsync(new Uri("/orders/warm", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The good client keeps its one keep-alive connection throughout.
        await OpenCountAsync(gateway.AdminPort, n => n <= 1);
        var residentBefore = ProcessResources.ResidentBytes(pid);
        var descriptorsBefore = ProcessResources.OpenDescriptors(pid);

        await using var held = await HeldConnections.OpenAsync(gateway.Port, "localhost", Connections, TimeSpan.FromSeconds(90));

        (await OpenCountAsync(gateway.AdminPort, n => n >= Connections)).Should().BeGreaterThanOrEqualTo(Connections, "the gateway keeps every idle connection");
        var residentDuring = ProcessResources.ResidentBytes(pid);
        var descriptorsDuring = ProcessResources.OpenDescriptors(pid);
        using (var response = await client.GetAsync(new Uri("/orders/1", UriKind.Relative)))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "a good client is admitted while {0} connections are held", Connections);
        }

        var perConnection = (residentDuring - residentBefore) / (double)Connections;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Connections} idle TLS connections: gateway RSS {residentBefore / 1048576.0:0.0} MiB -> {residentDuring / 1048576.0:0.0} MiB "
            + $"(+{(residentDuring - residentBefore) / 1048576.0:0.0} MiB, {perConnection / 1024:0.0} KiB per connection); descriptors {descriptorsBefore} -> {descriptorsDuring}"));
        // One socket per connection, nothing more; a few warm-up sockets may still have been closing when first counted.
        (descriptorsDuring - descriptorsBefore).Should().BeInRange(Connections - 20, Connections + 50, "one socket per connection, nothing more");

        await held.DisposeAsync();
        (await OpenCountAsync(gateway.AdminPort, n => n <= 1)).Should().BeLessThanOrEqualTo(1, "closed connections are released");
        (await Poll.UntilAsync(() => Task.FromResult(ProcessResources.OpenDescriptors(pid)), n => n <= descriptorsBefore + 10, TimeSpan.FromSeconds(20),
            n => $"{n} descriptors, {descriptorsBefore} before")).Should().BeLessThanOrEqualTo(descriptorsBefore + 10);
    }

    private static async Task<double> OpenCountAsync(int adminPort, Func<double, bool> until)
    {
        var metrics = await Poll.UntilAsync(() => PrometheusText.ScrapeAsync(adminPort),
            m => until(m.Sum("mtls_gateway_connections_open", ("listener", "public"))), TimeSpan.FromSeconds(30),
            m => $"open connections {m?.Sum("mtls_gateway_connections_open", ("listener", "public"))}");
        return metrics.Sum("mtls_gateway_connections_open", ("listener", "public"));
    }
}
