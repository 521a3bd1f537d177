using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The gateway ends TLS with close_notify, so clients built on OpenSSL keep their session resumable after a
/// <c>Connection: close</c> (or HTTP/1.0) response instead of paying for a full handshake on the next connection.</summary>
public sealed class TlsClosureTests
{
    [Fact]
    public async Task OpensslClient_ReconnectingAfterServerClosed_ResumesItsSession()
    {
        await using var host = await GatewayTestHost.StartAsync();

        // s_time -reuse: one connection for the session, then as many as fit in a second, each an HTTP/1.0 GET the
        // gateway answers and closes. It prints 'r' per resumed connection and '*' per full handshake.
        var result = await ProcessRunner.RunAsync("openssl",
            ["s_time", "-connect", $"127.0.0.1:{host.Port()}", "-reuse", "-time", "1", "-www", "/",
             "-cert", host.Pki("client.crt"), "-key", host.Pki("client.key")],
            TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.Output);
        var progress = result.StandardOutput.Split('\n').Select(l => l.Trim())
            .Single(l => l.Length > 0 && l.All(c => c is 'r' or '*'));
        progress.Should().NotContain("*", "every reconnection should resume the session the previous one ended cleanly")
            .And.Contain("r");
    }
}
