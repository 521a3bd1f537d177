using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MtlsGateway.Tests.Deploy;
using MtlsGateway.Tests.Passthrough;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// SIGTERM to the real gateway binary, as Kubernetes and systemd send it: <c>/readyz</c> turns 503 at once, the
/// listeners keep accepting for <c>Gateway:Shutdown:PreStopDelay</c> and then refuse new connections, a request in
/// flight to a slow backend and an open passthrough stream both finish, and the process exits 0.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_WithWorkInFlight_ReadyzFlipsListenersCloseWorkFinishesExitZero()
    {
        await using var backend = await FaultyBackend.StartAsync();
        await using var relayBackend = RawBackend.Start(EchoAsync);
        using var folder = new ConfigFolder((config, _) =>
        {
            config["Gateway"]!["Shutdown"] = new JsonObject { ["PreStopDelay"] = "00:00:03", ["DrainTimeout"] = "00:00:15" };
            config["Gateway"]!["Passthrough"] = new JsonObject
            {
                ["legacy"] = new JsonObject
                {
                    ["Hosts"] = new JsonArray("legacy.partner.test"),
                    ["Destinations"] = new JsonArray($"127.0.0.1:{relayBackend.Port}"),
                    ["DrainTimeout"] = "00:00:15",
                },
            };
            HardeningConfig.FaultyRoutes(config, backend.Address);
            config.Remove("Serilog"); // the default: CLEF on the console at Information, read back below
        });
        await using var gateway = GatewayInstance.Start("shutdown", folder.ConfigPath);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var pid = ProcessResources.FindByArgument(folder.ConfigPath);
        using var client = GoodClient.Create(folder, gateway.Port);
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // Work in flight: a request the backend answers after 5 s, and a passthrough stream.
        var slow = client.GetAsync(new Uri("/slow/5000", UriKind.Relative));
        await Poll.UntilAsync(() => Task.FromResult(backend.Slow), n => n == 1, TimeSpan.FromSeconds(15), n => $"{n} slow requests at the backend");
        using var relay = await SlowClient.ConnectAsync(gateway.Port);
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await relay.SendAsync(hello);
        (await ReceiveAsync(relay, hello.Length)).Should().Equal(hello, "the relay echoes through the gateway");

        (await ProcessRunner.RunAsync("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10))).ExitCode.Should().Be(0);

        var readyz = await Poll.UntilAsync(() => admin.GetAsync(new Uri($"http://127.0.0.1:{gateway.AdminPort}/readyz")),
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(3), r => $"/readyz answered {r?.StatusCode}");
        readyz.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "/readyz turns 503 before the listeners stop accepting");
        await Poll.UntilAsync(() => RefusesAsync(gateway.Port), refused => refused, TimeSpan.FromSeconds(10), _ => "the listener still accepts connections");

        using (var response = await slow)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "a request in flight finishes within the drain");
            (await response.Content.ReadAsStringAsync()).Should().Be("slow done");
        }

        var ping = "still relaying after the listeners closed"u8.ToArray();
        await relay.SendAsync(ping);
        (await ReceiveAsync(relay, ping.Length)).Should().Equal(ping, "an open passthrough stream goes on during the drain");
        relay.Shutdown(SocketShutdown.Both);
        relay.Close();

        (await gateway.Process.ExitCodeAsync(TimeSpan.FromSeconds(30))).Should().Be(0, gateway.Process.Tail());
        var events = Events(gateway.Process.Lines);
        events.Should().Contain("ShutdownStarted").And.Contain("ListenersClosing").And.Contain("ShutdownCompleted");
        Outcome(gateway.Process.Lines).Should().Be("Completed", "the stream ended on its own, not cut by the shutdown");
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, timeout.Token);
        }
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var received = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var total = 0;
        while (total < count)
        {
            var read = await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return received[..total];
    }

    private static async Task<bool> RefusesAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    private static List<string?> Events(IEnumerable<string> lines) => [.. Clef(lines).Select(e =>
        e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name) ? name.GetString() : null)];

    private static string? Outcome(IEnumerable<string> lines) => Clef(lines)
        .Where(e => e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name) && name.GetString() == "PassthroughClosed")
        .Select(e => e.GetProperty("Outcome").GetString()).SingleOrDefault();

    private static IEnumerable<JsonElement> Clef(IEnumerable<string> lines)
    {
        foreach (var line in lines.Where(l => l.StartsWith('{')))
        {
            using var document = JsonDocument.Parse(line);
            yield return document.RootElement.Clone();
        }
    }
}
