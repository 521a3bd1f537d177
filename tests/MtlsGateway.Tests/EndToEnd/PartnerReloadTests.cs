using System.Net;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A reload of one partner's store changes that partner's verdicts only (issue 22): cached verdicts are keyed
/// by the partner's store generation.</summary>
[Trait("Category", "EndToEnd")]
public sealed class PartnerReloadTests
{
    [Fact]
    public async Task NewCrlOfOnePartner_RevokesItsClient_OthersStayAdmittedAsThemselves()
    {
        using var pkis = new PartnerPkis();
        await using var host = await GatewayTestHost.StartAsync((config, _) => pkis.Configure(config));
        foreach (var certificate in new[] { pkis.AcmeClient, pkis.GlobexClient, pkis.InitechClient })
        {
            using var warm = host.CreateClientWith("orders.partner.test", pkis.Context(certificate));
            (await warm.GetAsync("/orders/warm")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await GatewayTestHost.ReplaceFileAsync(pkis.GlobexCrlPath, pkis.RevokeAtGlobex(pkis.GlobexClient));
        await host.WaitForReloadAsync(2);

        var outcome = await TlsProbe.HandshakeAsync(host.Port(), "orders.partner.test", pkis.Context(pkis.GlobexClient));
        outcome.Completed.Should().BeFalse("globex's new CRL lists its client");
        var refused = await host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "Reason") == "Revoked");
        LogSink.Property(refused, "Partner").Should().Be("globex");
        foreach (var (certificate, partner) in new[] { (pkis.AcmeClient, "acme"), (pkis.InitechClient, "initech") })
        {
            using var client = host.CreateClientWith("orders.partner.test", pkis.Context(certificate));
            var response = await client.GetAsync("/orders/after");
            response.StatusCode.Should().Be(HttpStatusCode.OK, partner);
            (await IdentityHeadersFixture.EchoHeadersAsync(response))["X-Client-Cert-Partner"].Should().Be(partner);
        }
    }
}
