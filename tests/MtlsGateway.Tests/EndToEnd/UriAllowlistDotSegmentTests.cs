using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// Issue 20, item 7: a client certificate whose URI SAN reads as "below" <c>spiffe://acme.test/orders/*</c> as text
/// but names another path (<c>orders/../admin</c>, <c>%2e%2e</c>) or carries a query or fragment is refused
/// NotAllowed on the Strict route, the hint saying why; the clean SPIFFE ID under the same pattern is admitted.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class UriAllowlistDotSegmentTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("spiffe://acme.test/orders/../admin", "dot segment")]
    [InlineData("spiffe://acme.test/orders/%2e%2e/admin", "dot segment")]
    [InlineData("spiffe://acme.test/orders/.%2E/admin", "dot segment")]
    [InlineData("spiffe://acme.test/orders/?admin=1", "query or fragment")]
    [InlineData("spiffe://acme.test/orders/x#admin", "query or fragment")]
    [InlineData("spiffe://acme.test/orders/x%2f..%2fadmin", "encoded '/'")]
    public async Task UriSanWithDotSegmentQueryOrFragment_OnSlashStarPattern_RefusedNotAllowedWithTheReason(string uri, string why)
    {
        using var client = ClientWithUri(uri);

        using var response = await client.GetAsync("/orders/1");

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden, body);
        body.Should().Contain("\"reason\":\"NotAllowed\"").And.NotContain("demo echo");
        var rejected = await _host.Logs.WaitForAsync("RequestRejected", e => LogSink.Property(e, "Hint")!.Contains(uri, StringComparison.Ordinal));
        LogSink.Property(rejected, "Reason").Should().Be("NotAllowed");
        LogSink.Property(rejected, "Hint").Should().Contain(why).And.Contain("matches no URI entry");
    }

    [Fact]
    public async Task CleanSpiffeIdBelowThePattern_Admitted()
    {
        using var client = ClientWithUri("spiffe://acme.test/orders/worker-9");

        using var response = await client.GetAsync("/orders/1");

        var headers = await IdentityHeadersFixture.EchoHeadersAsync(response);
        headers["X-Client-Cert-Uri"].Should().Be("spiffe://acme.test/orders/worker-9");
    }

    /// <summary>A client certificate (CN not on the allowlist) whose only SAN is <paramref name="uri"/>, byte for byte:
    /// the SAN builder would parse and normalise it.</summary>
    private HttpClient ClientWithUri(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        using var pki = new TestPkiDirectory(_host.Pki(string.Empty));
        var certificate = pki.IssueClient("uri-" + Guid.NewGuid().ToString("N")[..8], "CN=acme-workload,O=Acme",
            spec => spec with { Extensions = [new X509Extension(Oids.SubjectAlternativeName, writer.Encode(), critical: false)] });
        return _host.CreateClientWith("localhost", certificate);
    }
}
