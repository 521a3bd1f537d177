using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// A client certificate is attacker-controlled input: an "issuer" URL in its Authority Information Access extension
/// must never make the gateway open a connection (to fetch a missing intermediate), whether the handshake check or the
/// request check sees it — that would let any client point the gateway at internal addresses.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class IssuerDownloadTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _foreign = new();
    private readonly TcpListener _issuerUrl = new(IPAddress.Loopback, 0);
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _issuerUrl.Start();
        _host = await GatewayTestHost.StartAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose()
    {
        _issuerUrl.Dispose();
        _foreign.Dispose();
    }

    [Theory]
    [InlineData("strict.partner.test")] // refused in the handshake
    [InlineData("localhost")] // refused at the request
    public async Task ClientCertificateWithIssuerUrl_IsRefusedWithoutFetchingIt(string host)
    {
        var port = ((IPEndPoint)_issuerUrl.LocalEndpoint).Port;
        var leaf = _foreign.IssueClient("acme-orders-client", spec => spec with
        {
            Extensions = [new X509AuthorityInformationAccessExtension(ocspUris: null, caIssuersUris: [$"http://127.0.0.1:{port}/issuer.cer"])],
        });
        // Only the leaf, so the issuer is missing; offline, so this client does not fetch it either.
        var context = SslStreamCertificateContext.Create(leaf.Certificate, additionalCertificates: null, offline: true);

        if (host == "localhost")
        {
            var response = await TlsProbe.ExchangeAsync(_host.Port(), host, "GET /orders/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", context);
            response.Should().StartWith("HTTP/1.1 403");
        }
        else
        {
            (await TlsProbe.HandshakeAsync(_host.Port(), host, context)).Completed.Should().BeFalse();
        }

        // The verdict is written after every chain build of the connection: any fetch would already be queued.
        var refusal = await _host.Logs.WaitForAsync(host == "localhost" ? "RequestRejected" : "HandshakeFailed");
        LogSink.Property(refusal, "Reason").Should().Be("PartialChain");
        _issuerUrl.Pending().Should().BeFalse("the gateway must not connect to a URL a client certificate names");
    }
}
