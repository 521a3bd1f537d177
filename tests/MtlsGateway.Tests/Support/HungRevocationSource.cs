using System.Net;
using System.Net.Security;
using Serilog.Events;

namespace MtlsGateway.Tests.Support;

/// <summary>
/// The one behaviour every hung revocation source (a CRL distribution point, an OCSP responder) must show: the first
/// sight of it holds only the handshake that needs it, which is refused within RevocationTimeout, while another client
/// (the development PKI's, revocation from CRL files) is answered in the meantime.
/// </summary>
internal static class HungRevocationSource
{
    /// <summary>Runs both handshakes, asserts the above, and returns the waiting handshake's <c>HandshakeFailed</c>
    /// event (Reason RevocationUnknown) for the caller's hint checks.</summary>
    public static async Task<LogEvent> HoldsOnlyItsOwnHandshakeAsync(GatewayTestHost host, SslStreamCertificateContext hungClient, Func<Task> sourceAsked)
    {
        var waiting = TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", hungClient);
        await sourceAsked().WaitAsync(TimeSpan.FromSeconds(15));
        using var other = host.CreateClient("strict.partner.test", "client");
        var answered = await other.GetAsync("/anything");
        var stillWaiting = !waiting.IsCompleted;
        var outcome = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        answered.StatusCode.Should().Be(HttpStatusCode.OK);
        stillWaiting.Should().BeTrue("the other client is served while the first sight of the hung source waits");
        outcome.Completed.Should().BeFalse();
        var failed = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(failed, "Reason").Should().Be("RevocationUnknown");
        return failed;
    }
}
