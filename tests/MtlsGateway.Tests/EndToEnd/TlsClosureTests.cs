using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The gateway ends TLS with close_notify, so clients built on OpenSSL keep their session resumable after a
/// <c>Connection: close</c> (or HTTP/1.0) response instead of paying for a full handshake on the next connection.</summary>
[Trait("Category", "EndToEnd")]
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
        // Without close_notify every reconnection is a full handshake ('*'). With it, all resume; one in ~450 was seen
        // not to, once, on a CI machine under full load (not reproduced in 3,450 reconnections here under load 30), so
        // the bar is "resumes", not "never once a full handshake".
        var full = progress.Count(c => c == '*');
        progress.Should().Contain("r");
        full.Should().BeLessThanOrEqualTo(Math.Max(1, progress.Length / 100),
            "every reconnection should resume the session the previous one ended cleanly (progress: {0})", progress);
    }
}
