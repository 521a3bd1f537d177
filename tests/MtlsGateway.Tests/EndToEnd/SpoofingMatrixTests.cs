using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Tests.Policies;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// A client forges the gateway's identity headers (every name, default and renamed, in mixed case, duplicated)
/// over HTTP/1.1 and HTTP/2, with and without a certificate, on Strict and Permissive routes and the plaintext
/// listener: the backend sees the gateway's values and never a forged one.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SpoofingMatrixTests(SpoofingFixture fixture) : IClassFixture<SpoofingFixture>
{
    private const string Forged = "FORGED";

    // Every header the gateway owns here, as a client might spell them; "SUCCESS" is what a forger wants to see.
    private static readonly (string Name, string Value)[] ForgedHeaders =
    [
        ("X-Forwarded-Client-Cert", $"Hash={Forged};Subject=\"CN={Forged}\""),
        ("x-forwarded-client-cert", $"By=spiffe://{Forged};Hash={Forged}"),
        ("x-client-cert-subject", $"CN={Forged}"),
        ("X-CLIENT-CERT-VERIFIED", "SUCCESS"),
        ("X-Client-Cert-Verified", "SUCCESS"),
        ("X-Client-Cert-Policy", Forged),
        ("x-client-cert-sha256", Forged),
        ("X-Client-Cert-Uri", $"spiffe://{Forged}"),
        ("X-ARR-ClientCert", Forged),
        ("X-Partner-Subject", $"CN={Forged}"),
        ("x-PARTNER-subject", $"CN={Forged}"),
    ];

    private readonly GatewayTestHost _host = fixture.Host;

    /// <summary>transport, listener, host, path, client certificate, expected status, expected policy.</summary>
    public static TheoryData<string, string, string, string, string?, int, string> Matrix()
    {
        var data = new TheoryData<string, string, string, string, string?, int, string>();
        foreach (var transport in new[] { "raw-h1", "h1", "h2" })
        {
            data.Add(transport, "public", "localhost", "/orders/1", "client", 200, "acme-orders");
            data.Add(transport, "public", "localhost", "/orders/1", null, 403, "acme-orders");
            data.Add(transport, "public", "localhost", "/status", "client", 200, "open-status");
            data.Add(transport, "public", "localhost", "/status", null, 200, "open-status");
            data.Add(transport, "public", "strict.partner.test", "/any", "client", 200, "acme-orders");
            data.Add(transport, "public", "open.partner.test", "/any", "client", 200, "open-status");
            data.Add(transport, "public", "open.partner.test", "/any", null, 200, "open-status");
        }

        // h2c (HTTP/2 without TLS) is not offered by the plaintext listener.
        foreach (var transport in new[] { "raw-h1", "h1" })
        {
            data.Add(transport, "plain", "localhost", "/status", null, 200, "open-status");
            data.Add(transport, "plain", "localhost", "/orders/1", null, 403, "acme-orders");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task ForgedIdentityHeaders_AnyTransportRouteOrCertificate_NeverReachTheBackend(
        string transport, string listener, string host, string path, string? certificate, int status, string policy)
    {
        var (actualStatus, body) = await SendForgedAsync(transport, listener, host, path, certificate);

        actualStatus.Should().Be(status, body);
        body.Should().NotContainEquivalentOf(Forged, "neither the backend nor a refusal may show a forged value");
        if (status != 200)
        {
            body.Should().NotContain("demo echo", "a refused request never reaches the backend");
            return;
        }

        var headers = IdentityHeadersFixture.EchoHeaders(body);
        var verified = certificate is not null && listener != "plain";
        var renamed = policy == "open-status";
        headers["X-Client-Cert-Policy"].Should().Be(policy);
        headers["X-Client-Cert-Verified"].Should().Be(verified ? "SUCCESS" : "NONE", "one value, set by the gateway");
        headers.Should().NotContainKey("X-ARR-ClientCert", "no policy here enables it, so no copy may pass");
        if (!verified)
        {
            headers.Should().NotContainKeys("X-Forwarded-Client-Cert", "X-Client-Cert-Subject", "X-Partner-Subject", "X-Client-Cert-Sha256", "X-Client-Cert-Uri");
            return;
        }

        using var sent = X509CertificateLoader.LoadCertificateFromFile(_host.Pki(certificate + ".crt"));
        var xfcc = XfccParser.Parse(headers["X-Forwarded-Client-Cert"]).Should().ContainSingle().Subject;
        XfccParser.Values(xfcc, "Hash").Should().Equal(sent.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());
        headers[renamed ? "X-Partner-Subject" : "X-Client-Cert-Subject"].Should().Be("CN=acme-orders-client,O=Acme");
        headers.Should().NotContainKey(renamed ? "X-Client-Cert-Subject" : "X-Partner-Subject");
    }

    [Theory]
    [InlineData("public")]
    [InlineData("plain")]
    public async Task FoldedIdentityHeader_IsRefusedBeforeAnyBackend(string listener)
    {
        // obs-fold (RFC 9112 5.2): a continuation line that a lenient parser would glue onto the previous header.
        var (status, body) = await SpoofingRawHttp.SendAsync(_host, listener, "localhost", "/status",
            ["X-Client-Cert-Verified: NONE", $" SUCCESS {Forged}", $"X-Client-Cert-Subject: CN=a,\r\n\tCN={Forged}"],
            listener == "plain" ? null : _host.ClientCertificate("client"));

        status.Should().Be((int)HttpStatusCode.BadRequest);
        body.Should().NotContain("demo echo").And.NotContain(Forged);
    }

    private async Task<(int Status, string Body)> SendForgedAsync(string transport, string listener, string host, string path, string? certificate)
    {
        if (transport == "raw-h1")
        {
            return await SpoofingRawHttp.SendAsync(_host, listener, host, path, ForgedHeaders.Select(h => $"{h.Name}: {h.Value}"),
                certificate is null || listener == "plain" ? null : _host.ClientCertificate(certificate));
        }

        using var client = _host.CreateClient(host, certificate, listener, transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11);
        using var request = new HttpRequestMessage(HttpMethod.Get, path)
        {
            Version = client.DefaultRequestVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        foreach (var group in ForgedHeaders.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
        {
            // Several values per name: HttpClient sends them as duplicates (or a comma list), as a forger would.
            request.Headers.TryAddWithoutValidation(group.Key, group.Select(h => h.Value));
        }

        using var response = await client.SendAsync(request);
        response.Version.Should().Be(transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
