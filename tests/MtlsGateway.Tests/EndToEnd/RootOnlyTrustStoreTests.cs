using System.Numerics;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// The most common partner set-up over real TLS: the trust store holds the partner's root only, the client sends its
/// issuing CA with its certificate, ops hold both CAs' CRLs (issue 21). nginx admits this; so must the gateway.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RootOnlyTrustStoreTests
{
    private const string IssuingCa = "CN=MtlsGateway Dev Partners Issuing CA";

    /// <summary>CaFiles: the root only; CrlFiles as given (relative to the test folder).</summary>
    private static Task<GatewayTestHost> StartAsync(Action<string>? prepare = null, params string[] crlFiles) =>
        GatewayTestHost.StartAsync((config, directory) =>
        {
            prepare?.Invoke(directory);
            var store = config["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"] = new JsonArray("pki/partners-root.crt");
            store["CrlFiles"] = new JsonArray([.. crlFiles.Select(f => JsonValue.Create(f))]);
        });

    private static async Task<Serilog.Events.LogEvent> RefusedAsync(GatewayTestHost host, string certificate)
    {
        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", host.ClientCertificate(certificate));
        outcome.Completed.Should().BeFalse();
        return await host.Logs.WaitForAsync("HandshakeFailed");
    }

    [Fact]
    public async Task BothCrls_GoodClientSendingItsIssuingCa_ReachesTheBackend()
    {
        await using var host = await StartAsync(null, "pki/partners-root.crl", "pki/partners.crl");
        using var client = host.CreateClient("strict.partner.test", "client");

        var response = await client.GetAsync("/anything");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        host.Logs.Named("HandshakeFailed").Should().BeEmpty();
    }

    [Fact]
    public async Task BothCrls_ResumedSessionWithoutTheSentChain_IsStillAdmitted()
    {
        await using var host = await StartAsync(null, "pki/partners-root.crl", "pki/partners.crl");
        using var first = host.CreateClient("strict.partner.test", "client");
        (await first.GetAsync("/anything")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        // A new connection resumes the TLS session: the server learns the client's certificate but not its issuing CA.
        using var second = host.CreateClient("strict.partner.test", "client");
        var response = await second.GetAsync("/anything");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        host.Logs.Named("HandshakeFailed").Should().BeEmpty();
    }

    [Fact]
    public async Task BothCrls_LeafListedInTheSentIssuingCasCrl_IsRefusedRevoked()
    {
        await using var host = await StartAsync(null, "pki/partners-root.crl", "pki/partners.crl");

        var logged = await RefusedAsync(host, "client-revoked");

        LogSink.Property(logged, "Reason").Should().Be("Revoked");
        LogSink.Property(logged, "Hint").Should().Contain($"revoked by CRL of {IssuingCa}");
    }

    [Fact]
    public async Task BothCrls_SentIssuingCaRevokedByTheRoot_IsRefusedRevoked()
    {
        await using var host = await StartAsync(
            directory =>
            {
                using var root = TestPkiDirectory.Load(Path.Combine(directory, "pki"), "partners-root");
                using var issuing = TestPkiDirectory.Load(Path.Combine(directory, "pki"), "partners-intermediate");
                var now = DateTimeOffset.UtcNow;
                var crl = CertificateAuthority.CreateCrl(root, [issuing.Certificate.SerialNumberBytes.ToArray()], now.AddHours(-1), now.AddDays(7), new BigInteger(2));
                File.WriteAllText(Path.Combine(directory, "pki", "root-revoking.crl"), CertificateAuthority.CrlToPem(crl));
            },
            "pki/root-revoking.crl",
            "pki/partners.crl");

        var logged = await RefusedAsync(host, "client");

        LogSink.Property(logged, "Reason").Should().Be("Revoked");
        LogSink.Property(logged, "Hint").Should().StartWith($"issuing CA {IssuingCa}");
    }

    [Fact]
    public async Task IssuingCasCrlMissing_IsRefusedRevocationUnknownWithAHintThatWorks()
    {
        await using var host = await StartAsync(null, "pki/partners-root.crl");

        var logged = await RefusedAsync(host, "client");

        LogSink.Property(logged, "Reason").Should().Be("RevocationUnknown");
        LogSink.Property(logged, "Hint").Should().Contain($"has no CRL of {IssuingCa}").And.Contain("add that CA's CRL to CrlFiles (it need not be in CaFiles");

        // What the hint says, done by a reload: the same client is admitted.
        await host.EditConfigAsync(c => c["Gateway"]!["TrustStores"]!["partners"]!["CrlFiles"] = new JsonArray("pki/partners-root.crl", "pki/partners.crl"));
        await host.WaitForReloadAsync(2);
        using var client = host.CreateClient("strict.partner.test", "client");
        (await client.GetAsync("/anything")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }
}
