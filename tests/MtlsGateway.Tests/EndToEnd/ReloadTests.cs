using System.Net;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MtlsGateway.Identity;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>Rotation without restarts: every file the configuration names, and the file itself, are followed;
/// valid changes apply to new handshakes and to the next request, invalid ones are refused and visible.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ReloadTests
{
    [Fact]
    public async Task ServerCertificateReplaced_NextHandshakeSeesIt()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var before = await TlsProbe.HandshakeAsync(host.Port(), "localhost", host.ClientCertificate("client"));
        using var root = TestPkiDirectory.Load(host.Pki(""), "partners-root");
        var now = DateTimeOffset.UtcNow;
        using var rotated = CertificateAuthority.Issue(root, new CertificateSpec
        {
            Subject = "CN=localhost,O=Rotated",
            NotBefore = now.AddHours(-1),
            NotAfter = now.AddDays(2),
            DnsNames = ["localhost"],
            ExtendedKeyUsages = [Oids.ServerAuth],
        });

        // Key first, then certificate: in between, the pair does not match and that state must not be loaded.
        await GatewayTestHost.ReplaceFileAsync(host.Pki("server.key"), rotated.KeyPem);
        await GatewayTestHost.ReplaceFileAsync(host.Pki("server.crt"), rotated.CertificatePem);
        await host.WaitForReloadAsync(2);
        var after = await TlsProbe.HandshakeAsync(host.Port(), "localhost", host.ClientCertificate("client"));

        before.ServerCertificate!.Subject.Should().NotContain("Rotated");
        after.ServerCertificate!.Subject.Should().Contain("O=Rotated");
    }

    [Fact]
    public async Task CaAdded_PreviouslyRefusedClientIsAdmitted()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            var store = config["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"] = new JsonArray("pki/partners-root.crt");
            store["CrlFiles"] = new JsonArray("pki/partners-root.crl");
        });
        var leafOnly = SslStreamCertificateContextWithoutChain(host);
        using var client = host.CreateClientWith("localhost", leafOnly);
        var refused = await client.GetAsync("/orders/1");

        await host.EditConfigAsync(config =>
        {
            var store = config["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"] = new JsonArray("pki/partners-root.crt", "pki/partners-intermediate.crt");
            store["CrlFiles"] = new JsonArray("pki/partners-root.crl", "pki/partners.crl");
        });
        await host.WaitForReloadAsync(2);
        var admitted = await client.GetAsync("/orders/1");

        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("PartialChain");
        admitted.StatusCode.Should().Be(HttpStatusCode.OK, "the same open connection is re-checked against the new trust store");
    }

    [Fact]
    public async Task SerialAddedToCrl_NextRequestOnOpenConnectionIsRefusedRevoked()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var intermediate = TestPkiDirectory.Load(host.Pki(""), "partners-intermediate");
        var serial = X509CertificateLoader.LoadCertificateFromFile(host.Pki("client.crt")).SerialNumberBytes.ToArray();
        var now = DateTimeOffset.UtcNow;
        var crl = CertificateAuthority.CreateCrl(intermediate, [serial], now.AddMinutes(-5), now.AddDays(1), new BigInteger(2));
        await GatewayTestHost.ReplaceFileAsync(host.Pki("partners.crl"), CertificateAuthority.CrlToPem(crl));
        await host.WaitForReloadAsync(2);
        var response = await client.GetAsync("/orders/2");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"Revoked\"");
    }

    [Fact]
    public async Task NameRemovedFromAllowlist_IsRefusedNotAllowed()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);

        await host.EditConfigAsync(config => config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject
        {
            ["CommonNames"] = new JsonArray("somebody-else"),
        });
        await host.WaitForReloadAsync(2);
        var response = await client.GetAsync("/orders/2");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"NotAllowed\"");
    }

    [Fact]
    public async Task BrokenEdit_KeepsLastGoodConfigAndReportsEveryError()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");

        await host.EditConfigAsync(config =>
        {
            config["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner";
            config["ReverseProxy"]!["Routes"]!["orders"]!["ClusterId"] = "nope";
        });
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        var response = await client.GetAsync("/orders/1");
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        var config = await admin.GetStringAsync("config");

        failed.RenderMessage().Should().Contain("Gateway:Policies:acme-orders:TrustStore").And.Contain("ReverseProxy:Routes:orders:ClusterId");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the last good configuration stays in force");
        config.Should().Contain("\"version\": 1").And.Contain("is not a trust store");
    }

    [Fact]
    public async Task RouteAdded_IsServedWithoutRestart()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/invoices/1")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await host.EditConfigAsync(config => config["ReverseProxy"]!["Routes"]!["invoices"] = new JsonObject
        {
            ["ClusterId"] = "echo",
            ["AuthorizationPolicy"] = "acme-orders",
            ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["Path"] = "/invoices/{**rest}" },
        });
        await host.WaitForReloadAsync(2);

        (await WaitForStatusAsync(client, "/invoices/1", HttpStatusCode.OK)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KubernetesStyleSymlinkSwap_IsNoticed()
    {
        // The layout a ConfigMap volume has: gateway.json -> ..data/gateway.json, ..data -> ..v1 (a folder).
        var directory = Path.Combine(Path.GetTempPath(), "mtlsgw-k8s-" + Guid.NewGuid().ToString("N")[..8]);
        var pki = Path.Combine(directory, "pki"); // paths in the config are relative to the mount folder
        await using var host = await GatewayTestHost.StartAsync((config, dir) =>
        {
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "..v1"));
            System.IO.Directory.CreateSymbolicLink(pki, Path.Combine(dir, "pki"));
            config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("acme-orders-client") };
            File.WriteAllText(Path.Combine(directory, "..v1", "gateway.json"), config.ToJsonString());
            File.CreateSymbolicLink(Path.Combine(directory, "..data"), "..v1");
            File.CreateSymbolicLink(Path.Combine(directory, "gateway.json"), Path.Combine("..data", "gateway.json"));
        }, configPath: Path.Combine(directory, "gateway.json"));
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var next = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "..v1", "gateway.json")))!;
        next["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject { ["CommonNames"] = new JsonArray("somebody-else") };
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "..v2"));
        await File.WriteAllTextAsync(Path.Combine(directory, "..v2", "gateway.json"), next.ToJsonString());
        File.CreateSymbolicLink(Path.Combine(directory, "..data_tmp"), "..v2");
        // The atomic swap, as the kubelet does it: rename(2) of a symlink over a symlink (File.Move refuses links to folders).
        var swap = await ProcessRunner.RunAsync("mv", ["-T", "-f", Path.Combine(directory, "..data_tmp"), Path.Combine(directory, "..data")], TimeSpan.FromSeconds(10));
        swap.ExitCode.Should().Be(0, swap.Output);
        await host.WaitForReloadAsync(2);

        (await client.GetAsync("/orders/2")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        System.IO.Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task RequestLoopAcrossReloads_HasNoFailedRequest()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var failures = new List<string>();
        var completed = 0;
        var load = Task.Run(async () =>
        {
            using var keepAlive = host.CreateClient("localhost", "client");
            while (!stop.IsCancellationRequested && completed < 20_000)
            {
                // New connections too: every 20th request on a fresh client, so handshakes cross the reloads.
                using var fresh = completed % 20 == 0 ? host.CreateClient("localhost", "client") : null;
                var response = await (fresh ?? keepAlive).GetAsync("/orders/loop");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                Interlocked.Increment(ref completed);
            }
        });

        for (var version = 2; version <= 5; version++)
        {
            var v = version;
            await host.EditConfigAsync(config => config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"]!["CommonNames"] = new JsonArray("acme-orders-client", $"extra-{v}"));
            await host.WaitForReloadAsync(version);
        }

        await stop.CancelAsync();
        await load;
        completed.Should().BeGreaterThan(0);
        failures.Should().BeEmpty();
    }

    private static async Task<HttpStatusCode> WaitForStatusAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        // YARP applies its routes right after the gateway's snapshot; allow it a bounded number of tries.
        HttpStatusCode status = 0;
        for (var attempt = 0; attempt < 50 && status != expected; attempt++)
        {
            status = (await client.GetAsync(path)).StatusCode;
            if (status != expected)
            {
                await Task.Yield();
            }
        }

        return status;
    }

    private static System.Net.Security.SslStreamCertificateContext SslStreamCertificateContextWithoutChain(GatewayTestHost host) =>
        System.Net.Security.SslStreamCertificateContext.Create(
            X509Certificate2.CreateFromPemFile(host.Pki("client.crt"), host.Pki("client.key")), null, offline: true);
}
