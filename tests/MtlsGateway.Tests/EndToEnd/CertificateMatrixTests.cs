using System.Net;
using System.Net.Security;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The rest of the bad-certificate matrix (beyond the development PKI's clients), each refused with its exact
/// reason both in the handshake (a Strict-only host) and at the request (a mixed host).</summary>
[Trait("Category", "EndToEnd")]
public sealed class CertificateMatrixTests
{
    public enum BadClient
    {
        SelfSigned,
        MissingIntermediate,
        StaleCrl,
        CaAsClient,
        PinMismatch,
    }

    [Theory]
    [InlineData(BadClient.SelfSigned, "UntrustedIssuer")]
    [InlineData(BadClient.MissingIntermediate, "PartialChain")]
    [InlineData(BadClient.StaleCrl, "RevocationUnknown")]
    [InlineData(BadClient.CaAsClient, "WrongUsage")]
    [InlineData(BadClient.PinMismatch, "UntrustedIssuer")]
    public async Task Handshake_StrictHost_RefusesWithReason(BadClient badClient, string reason)
    {
        await using var host = await GatewayTestHost.StartAsync((config, dir) => Arrange(badClient, config, dir));

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", ClientFor(badClient, host));

        outcome.Completed.Should().BeFalse();
        LogSink.Property(await host.Logs.WaitForAsync("HandshakeFailed"), "Reason").Should().Be(reason);
    }

    [Theory]
    [InlineData(BadClient.SelfSigned, "UntrustedIssuer")]
    [InlineData(BadClient.MissingIntermediate, "PartialChain")]
    [InlineData(BadClient.StaleCrl, "RevocationUnknown")]
    [InlineData(BadClient.CaAsClient, "WrongUsage")]
    [InlineData(BadClient.PinMismatch, "UntrustedIssuer")]
    public async Task Request_MixedHost_RefusesWithReason(BadClient badClient, string reason)
    {
        await using var host = await GatewayTestHost.StartAsync((config, dir) => Arrange(badClient, config, dir));
        using var client = host.CreateClientWith("localhost", ClientFor(badClient, host));

        var response = await client.GetAsync("/orders/1");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain($"\"reason\":\"{reason}\"");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Reason").Should().Be(reason);
    }

    [Fact]
    public async Task PinnedCertificate_InPinsOnlyStore_IsAdmitted()
    {
        await using var host = await GatewayTestHost.StartAsync((config, dir) =>
        {
            var pin = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir, "pki", "client.crt")).GetCertHashString(HashAlgorithmName.SHA256);
            config["Gateway"]!["TrustStores"]!["partners"] = new JsonObject { ["Pins"] = new JsonArray(pin), ["Revocation"] = "None" };
        });
        using var client = host.CreateClient("strict.partner.test", "client");

        var response = await client.GetAsync("/pinned");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static void Arrange(BadClient badClient, JsonObject config, string directory)
    {
        var store = config["Gateway"]!["TrustStores"]!["partners"]!;
        switch (badClient)
        {
            case BadClient.MissingIntermediate:
                store["CaFiles"] = new JsonArray("pki/partners-root.crt");
                store["CrlFiles"] = new JsonArray("pki/partners-root.crl");
                break;
            case BadClient.StaleCrl:
                using (var intermediate = TestPkiDirectory.Load(Path.Combine(directory, "pki"), "partners-intermediate"))
                {
                    var now = DateTimeOffset.UtcNow;
                    var crl = CertificateAuthority.CreateCrl(intermediate, [], now.AddDays(-10), now.AddDays(-1), BigInteger.One);
                    File.WriteAllText(Path.Combine(directory, "pki", "partners.crl"), CertificateAuthority.CrlToPem(crl));
                }

                break;
            case BadClient.PinMismatch:
                var pin = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "pki", "client-spiffe.crt")).GetCertHashString(HashAlgorithmName.SHA256);
                store["Pins"] = new JsonArray(pin);
                break;
        }
    }

    private static SslStreamCertificateContext ClientFor(BadClient badClient, GatewayTestHost host)
    {
        var now = DateTimeOffset.UtcNow;
        switch (badClient)
        {
            case BadClient.SelfSigned:
                var self = CertificateAuthority.CreateSelfSigned(new CertificateSpec { Subject = "CN=acme-orders-client", NotBefore = now.AddHours(-1), NotAfter = now.AddDays(1) });
                return SslStreamCertificateContext.Create(self.Certificate, null, offline: true);
            case BadClient.MissingIntermediate:
                // The leaf alone: the trust store has only the root, and the client does not send its intermediate.
                return SslStreamCertificateContext.Create(X509Certificate2.CreateFromPemFile(host.Pki("client.crt"), host.Pki("client.key")), null, offline: true);
            case BadClient.CaAsClient:
                var intermediate = TestPkiDirectory.Load(host.Pki(""), "partners-intermediate");
                return SslStreamCertificateContext.Create(intermediate.Certificate, null, offline: true);
            default:
                return host.ClientCertificate("client");
        }
    }
}
