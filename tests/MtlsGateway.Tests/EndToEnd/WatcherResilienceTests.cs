using System.Net;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Loading;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Hardening;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// The reload watcher of a running gateway never blocks or dies (issue 20): a CRL replaced by a FIFO is a refused
/// reload naming the file, and the CRL published after it still revokes; <c>/dev/zero</c> beside the CRLs is ignored
/// or refused, never read; a look that throws or hangs turns <c>/readyz</c> to 503 with the reason and counts in
/// <c>mtls_gateway_config_watch_failures_total</c>, and the watcher carries on once it can.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class WatcherResilienceTests
{
    [Fact]
    public async Task CrlReplacedByFifo_KeepsServingReportsThePath_ThenARevokingCrlApplies()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var fifo = host.Pki("partners.crl.fifo");
        await SpecialFileTests.MakeFifoAsync(fifo);
        File.Move(fifo, host.Pki("partners.crl"), overwrite: true);
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        var during = await client.GetAsync("/orders/2");
        await GatewayTestHost.ReplaceFileAsync(host.Pki("partners.crl"), RevokingCrl(host));
        await host.WaitForReloadAsync(2);
        var after = await client.GetAsync("/orders/3");

        failed.RenderMessage().Should().Contain("Gateway:TrustStores:partners:CrlFiles:0").And.Contain("'pki/partners.crl' is a FIFO (named pipe)");
        during.StatusCode.Should().Be(HttpStatusCode.OK, "the last good configuration stays in force");
        after.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the CRL published after the FIFO is applied");
        (await after.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"Revoked\"");
    }

    [Fact]
    public async Task DevZeroBesideTheCrls_ReadmeIsIgnored_CrlNameIsRefused_GatewayKeepsRunning()
    {
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            var crls = Path.Combine(directory, "crls");
            Directory.CreateDirectory(crls);
            File.Copy(Path.Combine(directory, "pki", "partners.crl"), Path.Combine(crls, "partners.crl"));
            File.Copy(Path.Combine(directory, "pki", "partners-root.crl"), Path.Combine(crls, "partners-root.crl"));
            File.CreateSymbolicLink(Path.Combine(crls, "README.txt"), "/dev/zero");
            config["Gateway"]!["TrustStores"]!["partners"]!["CrlFiles"] = new JsonArray("crls");
        });
        using var client = host.CreateClient("localhost", "client");

        await host.EditConfigAsync(config => config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject
        {
            ["CommonNames"] = new JsonArray("somebody-else"),
        });
        await host.WaitForReloadAsync(2);
        var notAllowed = await client.GetAsync("/orders/1");
        File.CreateSymbolicLink(Path.Combine(host.Directory, "crls", "zero.crl"), "/dev/zero");
        var failed = await host.Logs.WaitForAsync("ConfigReloadFailed");
        var stillServing = await client.GetAsync("/orders/2");

        notAllowed.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the edit beside a README -> /dev/zero was applied");
        failed.RenderMessage().Should().Contain("Gateway:TrustStores:partners:CrlFiles:0").And.Contain("'crls/zero.crl' is a character device");
        stillServing.StatusCode.Should().Be(HttpStatusCode.Forbidden, "version 2 stays in force");
        (await stillServing.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"NotAllowed\"");
    }

    [Fact]
    public async Task CrlSymlinkSwappedToANewTarget_RevocationApplies()
    {
        // Kubernetes Secret layout for the CRL: pki/partners.crl -> crl-data/partners.crl, crl-data -> crl-v1 (swapped whole).
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            Directory.CreateDirectory(Path.Combine(directory, "crl-v1"));
            File.Move(Path.Combine(directory, "pki", "partners.crl"), Path.Combine(directory, "crl-v1", "partners.crl"));
            File.CreateSymbolicLink(Path.Combine(directory, "crl-data"), "crl-v1");
            File.CreateSymbolicLink(Path.Combine(directory, "pki", "partners.crl"), Path.Combine("..", "crl-data", "partners.crl"));
        });
        using var client = host.CreateClient("localhost", "client");
        (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.OK);

        Directory.CreateDirectory(Path.Combine(host.Directory, "crl-v2"));
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "crl-v2", "partners.crl"), RevokingCrl(host));
        File.CreateSymbolicLink(Path.Combine(host.Directory, "crl-data-tmp"), "crl-v2");
        var swap = await ProcessRunner.RunAsync("mv", ["-T", "-f", Path.Combine(host.Directory, "crl-data-tmp"), Path.Combine(host.Directory, "crl-data")], TimeSpan.FromSeconds(10));
        swap.ExitCode.Should().Be(0, swap.Output);
        await host.WaitForReloadAsync(2);
        var response = await client.GetAsync("/orders/2");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a symlink to a regular file is read through");
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"Revoked\"");
    }

    [Fact]
    public async Task LookThatThrows_ReadyzIs503WithTheReasonAndCounted_ThenRecovers()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var watcher = host.Gateway.Services.GetRequiredService<ConfigReloadService>();
        var failing = true;
        // A reload subscriber that throws: the one fault a look can still meet once the files are read safely.
        void Throw(bool applied)
        {
            if (Volatile.Read(ref failing))
            {
                throw new InvalidOperationException("subscriber failed on purpose");
            }
        }

        watcher.Reloaded += Throw;
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        using var client = host.CreateClient("localhost", "client");
        await host.EditConfigAsync(config => config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject
        {
            ["CommonNames"] = new JsonArray("somebody-else"),
        });
        var failed = await host.Logs.WaitForAsync("ConfigWatchFailed");
        using var notReady = await admin.GetAsync("readyz");
        var notReadyBody = await notReady.Content.ReadAsStringAsync();
        var metrics = await admin.GetStringAsync("metrics");
        var served = await client.GetAsync("/orders/1");
        Volatile.Write(ref failing, false);
        await host.Logs.WaitForAsync("ConfigWatchRecovered");
        using var ready = await admin.GetAsync("readyz");
        watcher.Reloaded -= Throw;

        failed.RenderMessage().Should().Contain("InvalidOperationException: subscriber failed on purpose");
        notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        notReadyBody.Should().Contain("the configuration watcher is failing since").And.Contain("subscriber failed on purpose");
        metrics.Should().Contain("mtls_gateway_config_watch_failing 1").And.MatchRegex(@"mtls_gateway_config_watch_failures_total [1-9]");
        served.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.Forbidden], "the gateway keeps serving while its watcher fails");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Logs.Named("ConfigReloadFailed").Should().BeEmpty("nothing was wrong with the files");
    }

    [Fact]
    public async Task LookThatHangs_ReadyzIs503_ThenRecoversWhenItFinishes()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var watcher = host.Gateway.Services.GetRequiredService<ConfigReloadService>();
        using var release = new ManualResetEventSlim(initialState: false);
        // Stands in for a mount that stops answering: the look blocks until released.
        void Hang(bool applied) => release.Wait(TimeSpan.FromSeconds(60));
        watcher.Reloaded += Hang;
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        using var client = host.CreateClient("localhost", "client");

        try
        {
            await host.EditConfigAsync(config => config["Gateway"]!["Policies"]!["acme-orders"]!["Allow"] = new JsonObject
            {
                ["CommonNames"] = new JsonArray("somebody-else"),
            });
            var failed = await host.Logs.WaitForAsync("ConfigWatchFailed", timeout: TimeSpan.FromSeconds(30));
            using var notReady = await admin.GetAsync("readyz");
            var notReadyBody = await notReady.Content.ReadAsStringAsync();
            var served = await client.GetAsync("/status");
            release.Set();
            await host.Logs.WaitForAsync("ConfigWatchRecovered");
            using var ready = await admin.GetAsync("readyz");

            failed.RenderMessage().Should().Contain("has not finished after 5 s");
            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            notReadyBody.Should().Contain("has not finished after 5 s");
            served.StatusCode.Should().Be(HttpStatusCode.OK, "requests do not wait for the watcher");
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            release.Set();
            watcher.Reloaded -= Hang;
        }
    }

    private static string RevokingCrl(GatewayTestHost host)
    {
        using var intermediate = TestPkiDirectory.Load(host.Pki(""), "partners-intermediate");
        var serial = X509CertificateLoader.LoadCertificateFromFile(host.Pki("client.crt")).SerialNumberBytes.ToArray();
        var now = DateTimeOffset.UtcNow;
        return CertificateAuthority.CrlToPem(CertificateAuthority.CreateCrl(intermediate, [serial], now.AddMinutes(-5), now.AddDays(1), new BigInteger(2)));
    }
}
