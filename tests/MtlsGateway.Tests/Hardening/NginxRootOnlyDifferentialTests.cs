using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Issue 21's set-up against nginx: trust the partner's root only, the client (curl, whose <c>--cert</c> file holds leaf
/// and issuing CA) sends its issuing CA, both CAs' CRLs given. nginx (<c>ssl_client_certificate root.pem; ssl_crl
/// both.crl</c>) admits the good certificate and refuses the revoked one; the gateway must do the same.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class NginxRootOnlyDifferentialTests : IAsyncLifetime
{
    private GatewayTestHost _gateway = null!;
    private NginxServer _nginx = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayTestHost.StartAsync((config, _) =>
        {
            var store = config["Gateway"]!["TrustStores"]!["partners"]!;
            store["CaFiles"] = new JsonArray("pki/partners-root.crt");
            store["CrlFiles"] = new JsonArray("pki/partners-root.crl", "pki/partners.crl");
        });
        var pki = _gateway.Pki("");
        var crls = Path.Combine(pki, "nginx-both.crl");
        await File.WriteAllTextAsync(crls, File.ReadAllText(Path.Combine(pki, "partners-root.crl")).TrimEnd() + "\n" + File.ReadAllText(Path.Combine(pki, "partners.crl")).TrimEnd() + "\n");
        _nginx = await NginxServer.StartAsync(Path.Combine(_gateway.Directory, "nginx"), _gateway.Pki("server.crt"), _gateway.Pki("server.key"), _gateway.Pki("partners-root.crt"), crls, verifyDepth: 2);
    }

    public async Task DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        await _gateway.DisposeAsync();
    }

    [Theory]
    [InlineData("client", true)]
    [InlineData("client-revoked", false)]
    public async Task RootOnlyStore_ClientSendingItsIssuingCa_SameVerdictAsNginx(string client, bool admitted)
    {
        var gateway = await CurlProbe.GetAsync(_gateway.Port(), "strict.partner.test", "/differential", _gateway.Pki(""), client, _gateway.Pki("partners-root.crt"));
        var nginx = await CurlProbe.GetAsync(_nginx.Port, "localhost", "/differential", _gateway.Pki(""), client, _gateway.Pki("partners-root.crt"));

        nginx.Admitted.Should().Be(admitted, "nginx is the reference here; its error log:\n" + File.ReadAllText(Path.Combine(_nginx.Prefix, "error.log")));
        gateway.Admitted.Should().Be(admitted, string.Join('\n', _gateway.Logs.Events.Select(e => e.RenderMessage())));
    }
}
