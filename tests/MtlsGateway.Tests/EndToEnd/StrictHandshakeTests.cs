using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>A host whose routes are all Strict refuses bad client certificates in the TLS handshake itself:
/// the client never reaches HTTP, and one HandshakeFailed event says why.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StrictHandshakeTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("client-expired", "Expired")]
    [InlineData("client-not-yet-valid", "NotYetValid")]
    [InlineData("client-revoked", "Revoked")]
    // .NET clients never send a self-signed root, so the foreign chain stops at an issuer nobody holds
    // (curl sends the root along: CurlTests sees UntrustedIssuer for the same certificate).
    [InlineData("client-other-ca", "PartialChain")]
    [InlineData("client-no-clientauth", "WrongUsage")]
    [InlineData(null, "NoCertificate")]
    public async Task Handshake_BadClientCertificate_IsRefusedWithReason(string? certificate, string reason)
    {
        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "strict.partner.test",
            certificate is null ? null : _host.ClientCertificate(certificate));

        outcome.Completed.Should().BeFalse();
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be(reason);
        LogSink.Property(logged, "Sni").Should().Be("strict.partner.test");
        LogSink.Property(logged, "Policy").Should().Be("acme-orders");
        LogSink.Property(logged, "FailedSide").Should().Be("gateway");
        LogSink.Property(logged, "Hint").Should().NotBeNullOrWhiteSpace();
        if (certificate is not null)
        {
            LogSink.Property(logged, "CertSha256").Should().MatchRegex("^[0-9A-F]{64}$");
            LogSink.Property(logged, "CertSubject").Should().StartWith("CN=");
        }

        _host.Logs.Named("HandshakeFailed").Should().HaveCount(1);
    }

    [Theory]
    [InlineData("client")]
    [InlineData("client-spiffe")]
    public async Task Handshake_AllowedClientCertificate_ReachesBackend(string certificate)
    {
        using var client = _host.CreateClient("strict.partner.test", certificate);

        var response = await client.GetAsync("/anything");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"X-Client-Cert-Verified\": \"SUCCESS\"");
        _host.Logs.Named("HandshakeFailed").Should().BeEmpty();
    }

    [Fact]
    public async Task Handshake_VerifiedButNotAllowed_IsRefusedNotAllowed()
    {
        // A valid chain whose names match no allowlist entry of the Strict policy.
        using var pki = new TestPkiDirectory(_host.Pki(""));
        var stranger = pki.IssueClient("stranger", "CN=someone-else,O=Acme");

        var outcome = await TlsProbe.HandshakeAsync(_host.Port(), "strict.partner.test", stranger);

        outcome.Completed.Should().BeFalse();
        var logged = await _host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("NotAllowed");
        LogSink.Property(logged, "Hint").Should().Contain("acme-orders");
    }
}
