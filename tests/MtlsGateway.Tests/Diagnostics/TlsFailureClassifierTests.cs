using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Tls;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>The OpenSSL texts Kestrel's TLS layer reports (NOTES Q1, and what the end-to-end tests saw) map to the
/// contract's reasons; the rarer alerts are covered here because no stock client sends them on demand.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TlsFailureClassifierTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "UntrustedIssuer", "alert 'unknown ca'")]
    [InlineData("error:0A000412:SSL routines::sslv3 alert bad certificate", "UntrustedIssuer", "does not trust")]
    [InlineData("error:0A000416:SSL routines::sslv3 alert certificate unknown", "UntrustedIssuer", "trust store")]
    [InlineData("error:0A000415:SSL routines::sslv3 alert certificate expired", "Expired", "has expired")]
    [InlineData("error:0A000414:SSL routines::sslv3 alert certificate revoked", "Revoked", "revoked")]
    [InlineData("error:0A000102:SSL routines::unsupported protocol", "ProtocolMismatch", "TLS 1.2 and 1.3")]
    [InlineData("error:0A0000C1:SSL routines::no shared cipher", "ProtocolMismatch", "cipher")]
    [InlineData("error:0A0000EB:SSL routines::no application protocol", "ProtocolMismatch", "ALPN")]
    [InlineData("error:0A000410:SSL routines::sslv3 alert handshake failure", "ProtocolMismatch", "handshake failure")]
    [InlineData("Cannot determine the frame size or a corrupted frame was received.", "MalformedClientHello", "could not be parsed")]
    [InlineData("error:0A00009C:SSL routines::http request", "ProtocolMismatch", "use https://")]
    public void Classify_KestrelMessage_GivesReason(string innermost, string reason, string hintPart)
    {
        var connection = new GatewayConnection("public", isTls: true, snapshot: null!) { Hello = new(ServerName: "api.partner.test", ApplicationProtocols: null, Length: 0), HelloReceived = true };

        var (actual, hint) = TlsFailureClassifier.Classify(
            new CapturedTlsFailure(false, "System.Security.Authentication.AuthenticationException", "Authentication failed, see inner exception.", innermost),
            new TlsHandshake(connection), "public", Timeout, TimeSpan.FromMilliseconds(5));

        actual.ToString().Should().Be(reason);
        hint.Should().Contain(hintPart);
    }

    [Fact]
    public void Classify_KestrelTimeoutEvent_IsHandshakeTimeoutNamingTheSetting()
    {
        var connection = new GatewayConnection("public", isTls: true, snapshot: null!) { HelloReceived = true };

        var (reason, hint) = TlsFailureClassifier.Classify(new CapturedTlsFailure(true, null, null, null), new TlsHandshake(connection), "public", Timeout, TimeSpan.FromSeconds(3));

        reason.Should().Be(RejectReason.HandshakeTimeout);
        hint.Should().Contain("10 s").And.Contain("Gateway:Listeners:public:HandshakeTimeout");
    }

    [Fact]
    public void Classify_EofBeforeTheHelloWasParsed_IsMalformedClientHello()
    {
        var connection = new GatewayConnection("public", isTls: true, snapshot: null!);

        var (reason, _) = TlsFailureClassifier.Classify(
            new CapturedTlsFailure(false, "System.IO.IOException", "Received an unexpected EOF or 0 bytes from the transport stream.", "Received an unexpected EOF or 0 bytes from the transport stream."),
            new TlsHandshake(connection), "public", Timeout, TimeSpan.FromMilliseconds(5));

        reason.Should().Be(RejectReason.MalformedClientHello);
    }
}
