using System.Text;
using System.Text.Json.Nodes;
using MtlsGateway.Configuration;
using MtlsGateway.Loading;
using MtlsGateway.Tests.Support;
using Serilog.Formatting.Compact;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Private keys never leave their files: not in the CLEF log of a run full of failures (refused handshakes, a dead
/// backend, reloads refused because of broken and mismatched keys), not in <c>/config</c> or <c>/metrics</c>, not in
/// <c>validate</c>'s error messages. A key file other users can read is a startup warning (<c>KeyFileReadable</c>,
/// path and mode only), never an error: a fresh checkout of certs-dev (git keeps no modes) still starts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Category", "EndToEnd")]
public sealed class SecretHygieneTests
{
    [Fact]
    public async Task RunWithFailures_LogsConfigAndMetrics_NeverShowPrivateKeys()
    {
        var deadPort = RepositoryPaths.FreePort();
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = $"http://127.0.0.1:{deadPort}/");
        var secrets = KeyMaterial(host.Pki("server.key"), host.Pki("client.key"), host.Pki("client-expired.key"));

        (await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test")).Completed.Should().BeFalse();
        (await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", host.ClientCertificate("client-expired"))).Completed.Should().BeFalse();
        using (var client = host.CreateClient())
        {
            (await client.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(System.Net.HttpStatusCode.BadGateway);
        }

        // A reload to a key that is not the certificate's, then to a file of garbage in PEM armour: both refused.
        await host.EditConfigAsync(c => c["Gateway"]!["ServerCertificates"]![0]!["KeyFile"] = "pki/client.key");
        await host.Logs.WaitForAsync("ConfigReloadFailed");
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "broken.key"),
            "-----BEGIN PRIVATE KEY-----\n" + Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('k', 90))) + "\n-----END PRIVATE KEY-----\n");
        await host.EditConfigAsync(c => c["Gateway"]!["ServerCertificates"]![0]!["KeyFile"] = "broken.key");
        await host.Logs.WaitForAsync("ConfigReloadFailed", e => host.Logs.Named("ConfigReloadFailed").Count >= 2);
        secrets.Add(Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('k', 90)))[..24]);

        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var config = await admin.GetStringAsync(new Uri($"http://127.0.0.1:{host.AdminPort}/config"));
        var metrics = await admin.GetStringAsync(new Uri($"http://127.0.0.1:{host.AdminPort}/metrics"));
        var clef = Clef(host.Logs.Events);

        host.Logs.Named("HandshakeFailed").Should().NotBeEmpty("the run had failures to log");
        foreach (var (name, text) in new[] { ("CLEF log", clef), ("/config", config), ("/metrics", metrics) })
        {
            text.Should().NotContain("PRIVATE KEY", name);
            secrets.Should().NotContain(s => text.Contains(s, StringComparison.Ordinal), $"no piece of a key's bytes may appear in the {name}");
        }
    }

    [Fact]
    public async Task Validate_MismatchedAndBrokenKeys_ErrorsNameFilesNotKeys()
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            config["Gateway"]!["ServerCertificates"]![0]!["KeyFile"] = "pki/client.key";
            config["Gateway"]!["ServerCertificates"]!.AsArray().Add(new JsonObject
            {
                ["Hosts"] = new JsonArray("other.partner.test"), ["CertificateFile"] = "pki/server.crt", ["KeyFile"] = "pki/partners-root.crt",
            });
        });

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.StandardOutput);
        result.StandardOutput.Should().Contain("client.key");
        var output = result.StandardOutput + result.StandardError;
        output.Should().NotContain("PRIVATE KEY");
        KeyMaterial(folder.Pki("client.key"), folder.Pki("server.key")).Should().NotContain(s => output.Contains(s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyFile_ReadableByOthers_StartsWithKeyFileReadableWarning()
    {
        await using var host = await GatewayTestHost.StartAsync((_, directory) =>
            File.SetUnixFileMode(Path.Combine(directory, "pki", "server.key"), (UnixFileMode)Convert.ToInt32("644", 8)));

        var warning = host.Logs.Named("KeyFileReadable").Should().ContainSingle("one key file is world-readable").Subject;
        LogSink.Property(warning, "KeyFile").Should().Be(host.Pki("server.key"));
        LogSink.Property(warning, "ConfigPath").Should().Be("Gateway:ServerCertificates:0:KeyFile");
        LogSink.Property(warning, "Mode").Should().Be("644");
        warning.Level.Should().Be(Serilog.Events.LogEventLevel.Warning, "a checkout that lost its modes still starts");
        using var client = host.CreateClient();
        (await client.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeyFile_OwnerOnlyOrGroup_NoWarning()
    {
        await using var host = await GatewayTestHost.StartAsync((_, directory) =>
            File.SetUnixFileMode(Path.Combine(directory, "pki", "server.key"), (UnixFileMode)Convert.ToInt32("440", 8)));

        host.Logs.Named("KeyFileReadable").Should().BeEmpty("owner-only and group-only keys (a Kubernetes Secret with defaultMode 0440 and fsGroup) are fine");
    }

    [Fact]
    public void Load_UpstreamClientKeyReadableByOthers_IsReportedAtItsPath()
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = "https://127.0.0.1:5999/";
            config["Gateway"]!["Upstreams"] = new JsonObject
            {
                ["echo"] = new JsonObject { ["ClientCertificate"] = new JsonObject { ["CertificateFile"] = "pki/client.crt", ["KeyFile"] = "pki/client.key" } },
            };
        });
        File.SetUnixFileMode(folder.Pki("client.key"), (UnixFileMode)Convert.ToInt32("604", 8));
        var configuration = GatewayConfigurationSource.TryBuild(folder.ConfigPath, null, out _)!;
        var exposures = new List<KeyFileExposure>();

        var result = GatewayConfigLoader.Load(configuration, folder.Path, 1, TimeProvider.System, exposures);

        result.IsValid.Should().BeTrue(string.Join("; ", result.Errors));
        exposures.Should().ContainSingle().Which.Should().Be(new KeyFileExposure("Gateway:Upstreams:echo:ClientCertificate:KeyFile", folder.Pki("client.key"), "604"));
    }

    /// <summary>Every 24-character piece of each key's base64 body (any leak of key bytes would contain one) — and the
    /// whole key PEM lines.</summary>
    private static List<string> KeyMaterial(params string[] keyFiles)
    {
        var pieces = new List<string>();
        foreach (var file in keyFiles)
        {
            var body = string.Concat(File.ReadAllLines(file).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
            for (var i = 0; i + 24 <= body.Length; i += 12)
            {
                pieces.Add(body.Substring(i, 24));
            }

            pieces.Add(Convert.ToHexString(Convert.FromBase64String(body))[..32]);
        }

        return pieces;
    }

    private static string Clef(IEnumerable<Serilog.Events.LogEvent> events)
    {
        var formatter = new CompactJsonFormatter();
        using var writer = new StringWriter();
        foreach (var e in events)
        {
            formatter.Format(e, writer);
        }

        return writer.ToString();
    }
}
