using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>Reads the log the way ops do: the Serilog File sink writing CLEF (one JSON event per line), configured in
/// the Serilog section. Each refusal a real failing client causes is exactly one line carrying its reason, hint and
/// who/where fields, and no line carries key or certificate material.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ClefOutputTests
{
    private static readonly (string Event, string Reason)[] Expected =
    [
        ("HandshakeFailed", "NoCertificate"),
        ("HandshakeFailed", "Expired"),
        ("HandshakeFailed", "UnknownHost"),
        ("HandshakeFailed", "UntrustedIssuer"),
        ("HandshakeFailed", "ProtocolMismatch"),
        ("HandshakeFailed", "MalformedClientHello"),
        ("HandshakeFailed", "HandshakeTimeout"),
        ("RequestRejected", "PlaintextNotAllowed"),
        ("RequestRejected", "HostMismatch"),
        ("RequestRejected", "NotYetValid"),
        ("RequestRejected", "Revoked"),
        ("RequestRejected", "WrongUsage"),
        ("RequestRejected", "PartialChain"),
        ("RequestRejected", "NotAllowed"),
    ];

    [Fact]
    public async Task FailingClients_EachReasonIsOneClefLineWithItsFields()
    {
        string? clefPath = null;
        await using var host = await GatewayTestHost.StartAsync((config, directory) =>
        {
            clefPath = Path.Combine(directory, "logs", "gateway.clef");
            config["Gateway"]!["Listeners"]!["public"]!["HandshakeTimeout"] = "00:00:01";
            // No default certificate: an SNI nobody serves is refused as UnknownHost.
            config["Gateway"]!["ServerCertificates"]![0]!["Default"] = false;
            config["Serilog"]!["Using"] = new JsonArray("Serilog.Sinks.File");
            config["Serilog"]!["WriteTo"] = new JsonArray(new JsonObject
            {
                ["Name"] = "File",
                ["Args"] = new JsonObject
                {
                    ["path"] = clefPath,
                    ["formatter"] = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
                },
            });
        });
        var port = host.Port();

        // TLS level.
        await TlsProbe.HandshakeAsync(port, "strict.partner.test");
        await TlsProbe.HandshakeAsync(port, "strict.partner.test", host.ClientCertificate("client-expired"));
        await TlsProbe.HandshakeAsync(port, "nobody.example");
        await OpensslAsync(port, "-servername", "localhost", "-CAfile", host.Pki("other-root.crt"), "-verify_return_error");
        await OpensslAsync(port, "-servername", "localhost", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        // Not plain HTTP: that is ProtocolMismatch too (ClientSideHandshakeFailureTests), summarised with the TLS 1.1 client's.
        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync(IPAddress.Loopback, port);
            await garbage.GetStream().WriteAsync(new byte[] { 0x01, 0x02, 0x03, 0xFF });
            using var silent = new TcpClient();
            await silent.ConnectAsync(IPAddress.Loopback, port);
            await WaitForLinesAsync(clefPath!, "HandshakeFailed", 7);
        }

        // Request level.
        using (var plain = host.CreateClient("localhost", certificate: null, listener: "plain"))
        {
            (await plain.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await TlsProbe.ExchangeAsync(port, "localhost", "GET /anything HTTP/1.1\r\nHost: open.partner.test\r\nConnection: close\r\n\r\n", host.ClientCertificate("client")))
            .Should().StartWith("HTTP/1.1 421");
        foreach (var certificate in new[] { "client-not-yet-valid", "client-revoked", "client-no-clientauth", "client-other-ca" })
        {
            using var client = host.CreateClient("localhost", certificate);
            (await client.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var pki = new TestPkiDirectory(host.Pki("")))
        using (var stranger = host.CreateClientWith("localhost", pki.IssueClient("stranger", "CN=someone-else,O=Acme")))
        {
            (await stranger.GetAsync("/orders/1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        // Two repeats of the plaintext refusal (summarised at shutdown) and one admitted request (one compact line).
        using (var plain = host.CreateClient("localhost", certificate: null, listener: "plain"))
        {
            (await plain.GetAsync("/orders/2")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await plain.GetAsync("/orders/3")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var good = host.CreateClient("localhost", "client"))
        {
            (await good.GetAsync("/orders/7")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await WaitForLinesAsync(clefPath!, "RequestRejected", 7);
        await host.Gateway.StopAsync();
        var lines = await WaitForLinesAsync(clefPath!, "RefusalsSummarised", 1);
        KeepForDocs(clefPath!);

        var refusals = lines.Where(l => EventName(l) is "HandshakeFailed" or "RequestRejected").ToList();
        refusals.Select(l => (EventName(l)!, Field(l, "Reason")!)).Should().BeEquivalentTo(Expected, "each failing client is exactly one event");
        foreach (var line in refusals)
        {
            var context = line.ToJsonString();
            Field(line, "Hint").Should().NotBeNullOrWhiteSpace(context);
            Field(line, "RemoteIp").Should().Be("127.0.0.1", context);
            Field(line, "ConnectionId").Should().NotBeNullOrEmpty(context);
            line["@t"].Should().NotBeNull();
            line["@mt"]!.GetValue<string>().Should().Contain("{Reason}");
            if (EventName(line) == "HandshakeFailed")
            {
                Field(line, "FailedSide").Should().BeOneOf("gateway", "client");
                Field(line, "Listener").Should().Be("public");
            }
            else
            {
                Field(line, "Route").Should().BeOneOf(["orders", "open-host"], context);
                Field(line, "Policy").Should().BeOneOf(["acme-orders", "open-status"], context);
                Field(line, "Host").Should().NotBeNullOrEmpty(context);
            }
        }

        var expired = refusals.Single(l => Field(l, "Reason") == "Expired");
        Field(expired, "CertSha256").Should().MatchRegex("^[0-9A-F]{64}$");
        Field(expired, "CertSubject").Should().StartWith("CN=acme-expired-client");
        Field(expired, "CertNotAfter").Should().NotBeNull();
        Field(expired, "Hint").Should().Contain("expired");
        Field(refusals.Single(l => Field(l, "Reason") == "UntrustedIssuer"), "FailedSide").Should().Be("client");
        Field(refusals.Single(l => Field(l, "Reason") == "UnknownHost"), "Sni").Should().Be("nobody.example");
        Field(refusals.Single(l => Field(l, "Reason") == "HostMismatch"), "Host").Should().Be("open.partner.test");
        Field(refusals.Single(l => Field(l, "Reason") == "NotAllowed"), "Hint").Should().Contain("acme-orders");

        var summary = lines.Single(l => EventName(l) == "RefusalsSummarised");
        (Field(summary, "Event"), Field(summary, "Reason"), Field(summary, "Count")).Should().Be(("RequestRejected", "PlaintextNotAllowed", "2"));
        Field(summary, "FirstSeen").Should().NotBeNull();
        Field(summary, "LastSeen").Should().NotBeNull();
        var completed = lines.Single(l => EventName(l) == "RequestCompleted");
        (Field(completed, "Route"), Field(completed, "Status"), Field(completed, "Policy")).Should().Be(("orders", "200", "acme-orders"));
        Field(completed, "CertSha256").Should().MatchRegex("^[0-9A-F]{64}$");
        Field(completed, "DurationMs").Should().NotBeNull();

        var text = await ReadSharedAsync(clefPath!);
        text.Should().NotContain("PRIVATE KEY").And.NotContain("BEGIN CERTIFICATE");
    }

    private static string? EventName(JsonObject line) => line["EventId"]?["Name"]?.GetValue<string>();

    private static string? Field(JsonObject line, string name) => line[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var other => other.ToJsonString(),
    };

    /// <summary>Waits (bounded) until the file holds <paramref name="count"/> events named <paramref name="eventName"/>.</summary>
    private static async Task<List<JsonObject>> WaitForLinesAsync(string path, string eventName, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<JsonObject> lines = [];
        for (var attempt = 0; attempt < 400 && DateTime.UtcNow < deadline; attempt++)
        {
            lines = [.. (await ReadSharedAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonObject)JsonNode.Parse(l)!)];
            if (lines.Count(l => EventName(l) == eventName) >= count)
            {
                return lines;
            }

            await Task.Delay(50);
        }

        return lines;
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        // The sink keeps the file open; read it the way `tail -f` would.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>MTLSGW_KEEP_CLEF=path keeps the events (docs/troubleshooting.md quotes them).</summary>
    private static void KeepForDocs(string path)
    {
        if (Environment.GetEnvironmentVariable("MTLSGW_KEEP_CLEF") is { Length: > 0 } target)
        {
            File.Copy(path, target, overwrite: true);
        }
    }

    private static Task<ProcessRunner.Result> OpensslAsync(int port, params string[] arguments) =>
        ProcessRunner.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", .. arguments], TimeSpan.FromSeconds(20));
}
