using System.Net;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Two trust stores on one gateway: a certificate that one store verifies is a stranger to a policy bound to the other,
/// in the handshake of a Strict-only host and at request level on a mixed host, both ways round.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class TrustStoreConfusionTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync((config, _) =>
    {
        config["Gateway"]!["TrustStores"]!["others"] = new JsonObject { ["CaFiles"] = new JsonArray("pki/other-root.crt"), ["Revocation"] = "None" };
        config["Gateway"]!["Policies"]!["other-partners"] = new JsonObject { ["Mode"] = "Strict", ["TrustStore"] = "others" };
        config["ReverseProxy"]!["Routes"]!["other-host"] = new JsonObject
        {
            ["ClusterId"] = "echo",
            ["AuthorizationPolicy"] = "other-partners",
            ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("other.partner.test"), ["Path"] = "/{**rest}" },
        };
    });

    [Fact]
    public async Task PartnersCertificate_OnOtherStoresHost_IsRefusedInHandshake()
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "other.partner.test", _host.ClientCertificate("client"));

        outcome.Completed.Should().BeFalse("trust store 'others' does not know the partners CA");
        var refused = await _host.Logs.WaitForAsync("HandshakeFailed", e => LogSink.Property(e, "Sni") == "other.partner.test");
        LogSink.Property(refused, "Reason").Should().BeOneOf("UntrustedIssuer", "PartialChain");
        LogSink.Property(refused, "TrustStore").Should().Be("others");
    }

    [Fact]
    public async Task OtherCaCertificate_OnOtherStoresHost_IsAdmitted()
    {
        using var client = _host.CreateClient("other.partner.test", "client-other-ca");

        using var response = await client.GetAsync(new Uri("/anything", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the control: the same certificate is fine where its own store applies");
    }

    [Fact]
    public async Task OtherCaCertificate_OnPartnersRoute_IsRefused()
    {
        using var client = _host.CreateClient("localhost", "client-other-ca");

        // Refused in the handshake (the mixed host asks for a certificate and refuses a foreign one) or with 403.
        HttpStatusCode? status = null;
        try
        {
            using var response = await client.GetAsync(new Uri("/orders/1", UriKind.Relative));
            status = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // refused in the handshake
        }

        status.Should().NotBe(HttpStatusCode.OK);
        var reasons = await Deploy.Poll.UntilAsync(
            () => Task.FromResult(_host.Logs.Events.Where(e => LogSink.EventName(e) is "RequestRejected" or "HandshakeFailed").Select(e => LogSink.Property(e, "Reason")).ToList()),
            r => r.Count > 0, TimeSpan.FromSeconds(10), r => "no refusal logged");
        reasons.Should().Contain(r => r == "UntrustedIssuer" || r == "PartialChain");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
