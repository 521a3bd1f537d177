using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The gateway's upstream client certificate rotates with a configuration reload, without a restart.</summary>
[Trait("Category", "EndToEnd")]
public sealed class UpstreamRotationTests(UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    [Fact]
    public async Task UpstreamClientCertificate_ChangedInConfig_NextRequestsPresentTheNewOne()
    {
        var host = fixture.Host;
        using var client = host.CreateClient("localhost", "client");
        (await client.GetStringAsync("/secure")).Should().Be(fixture.GatewayClient.Certificate.GetCertHashString(HashAlgorithmName.SHA256));
        var renewed = fixture.Pki.IssueClient("gateway-renewed");
        var certificateFile = fixture.Pki.WriteText("gateway-renewed.crt", renewed.CertificatePem + "\n" + fixture.Pki.Intermediate.CertificatePem + "\n");
        var keyFile = fixture.Pki.WriteText("gateway-renewed.key", renewed.KeyPem);

        await host.EditConfigAsync(config => config["Gateway"]!["Upstreams"]!["secure"]!["ClientCertificate"] =
            new JsonObject { ["CertificateFile"] = certificateFile, ["KeyFile"] = keyFile });
        await host.WaitForReloadAsync(2);

        var response = await client.GetAsync("/secure");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(renewed.Certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }
}
