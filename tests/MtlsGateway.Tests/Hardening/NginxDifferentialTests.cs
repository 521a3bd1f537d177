using System.Text;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// The same certificate matrix against the gateway and against nginx (<c>ssl_verify_client on</c>, the same CA bundle,
/// CRLs and depth), side by side with curl. The verdicts must equal the table in docs/security.md, "Differential check
/// against nginx", where every difference is justified: a new disagreement, either way, fails the build.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class NginxDifferentialTests : IAsyncLifetime
{
    private const string Section = "## Differential check against nginx";

    private static readonly string[] DevClients =
        ["client", "client-spiffe", "client-expired", "client-not-yet-valid", "client-revoked", "client-other-ca", "client-no-clientauth"];

    private GatewayTestHost _gateway = null!;
    private NginxServer _nginx = null!;

    public static IEnumerable<string> Matrix => DevClients.Concat(
        Enum.GetValues<HostileClient>().Where(c => c != HostileClient.ServerAuthOnly).Select(HostilePki.FileOf));

    public async Task InitializeAsync()
    {
        _gateway = await HostileGatewayFixture.StartAsync();
        var pki = _gateway.Pki("");
        var cas = Path.Combine(pki, "nginx-cas.pem");
        var crls = Path.Combine(pki, "nginx-crls.pem");

        // Exactly the gateway's partners store: its CaFiles and CrlFiles, concatenated the way nginx takes them.
        await File.WriteAllTextAsync(cas, Concat(pki, "partners-root.crt", "partners-intermediate.crt", HostilePki.CaBundle));
        await File.WriteAllTextAsync(crls, Concat(pki, ["partners.crl", "partners-root.crl",
            .. Directory.GetFiles(Path.Combine(pki, HostilePki.CrlFolder)).Order(StringComparer.Ordinal).Select(f => Path.Combine(HostilePki.CrlFolder, Path.GetFileName(f)))]));
        _nginx = await NginxServer.StartAsync(Path.Combine(_gateway.Directory, "nginx"), _gateway.Pki("server.crt"), _gateway.Pki("server.key"), cas, crls, HostilePki.MaxChainDepth);
    }

    public async Task DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task SameMatrix_GatewayAndNginx_AgreeExceptWhereDocumented()
    {
        var observed = new List<(string Client, string Gateway, string Nginx)>();
        foreach (var client in Matrix)
        {
            var gateway = await CurlProbe.GetAsync(_gateway.Port(), "strict.partner.test", "/differential", _gateway.Pki(""), client, _gateway.Pki("partners-root.crt"));
            var nginx = await CurlProbe.GetAsync(_nginx.Port, "localhost", "/differential", _gateway.Pki(""), client, _gateway.Pki("partners-root.crt"));
            observed.Add((client, Verdict(gateway), Verdict(nginx)));
        }

        var documented = DocumentedVerdict.Read(Section);

        observed.Select(o => $"{o.Client}: gateway {o.Gateway}, nginx {o.Nginx}").Should().BeEquivalentTo(
            documented.Select(d => $"{d.Case}: gateway {d.Gateway}, nginx {d.Peer}"),
            "docs/security.md must list every verdict as observed; observed:\n{0}\nnginx error log:\n{1}",
            string.Join('\n', observed.Select(o => $"| `{o.Client}` | {o.Gateway} | {o.Nginx} |")),
            File.ReadAllText(Path.Combine(_nginx.Prefix, "error.log")));
    }

    [Fact]
    public void DocumentedTable_EveryDisagreement_IsJustified()
    {
        var table = DocumentedVerdict.Read(Section);

        table.Should().NotBeEmpty();
        table.Where(r => r.Gateway != r.Peer).Should().OnlyContain(r => r.Why.Length > 20, "each difference needs its reason in the last column");
    }

    private static string Verdict(CurlProbe.Response response) => response.Admitted ? "admitted" : "refused";

    private static string Concat(string folder, params string[] files)
    {
        var text = new StringBuilder();
        foreach (var file in files)
        {
            text.Append(File.ReadAllText(Path.Combine(folder, file)).TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}
