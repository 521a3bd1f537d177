using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// A real ASP.NET Core backend using the shared framework's CertificateForwarding middleware reads the gateway's
/// <c>X-ARR-ClientCert</c> as the connection's client certificate, and only ever the gateway's.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class IdentityHeadersCertificateForwardingTests : IAsyncLifetime
{
    private WebApplication _backend = null!;
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddCertificateForwarding(options => options.CertificateHeader = "X-ARR-ClientCert");
        _backend = builder.Build();
        _backend.UseCertificateForwarding();
        _backend.Run(async context =>
        {
            var certificate = await context.Connection.GetClientCertificateAsync();
            await context.Response.WriteAsync(certificate is null ? "none" : $"{certificate.Thumbprint} {certificate.GetCertHashString(HashAlgorithmName.SHA256)}");
        });
        await _backend.StartAsync();
        var address = LoopbackApp.Address(_backend);

        _host = await GatewayTestHost.StartAsync((config, _) =>
        {
            config["Gateway"]!["Policies"]!["open-status"]!["Identity"] = new JsonObject { ["ArrClientCert"] = true };
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = address + "/";
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _backend.StopAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task CertificateForwardingBackend_ReadsTheClientsCertificate_ThumbprintEqual()
    {
        using var client = _host.CreateClient("localhost", "client");
        using var sent = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("client.crt"));

        var response = await client.GetAsync("/status");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be($"{sent.Thumbprint} {sent.GetCertHashString(HashAlgorithmName.SHA256)}");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task DefaultCertificateForwardingBackend_ClientSendsXClientCert_SeesNoCertificate(string version)
    {
        // Issue 20 item 5: CertificateForwarding with its defaults reads X-Client-Cert; a client's copy once became
        // the backend's ClientCertificate next to the gateway's Verified: SUCCESS.
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddCertificateForwarding(_ => { });
        await using var backend = builder.Build();
        backend.UseCertificateForwarding();
        backend.Run(async context =>
        {
            var certificate = await context.Connection.GetClientCertificateAsync();
            await context.Response.WriteAsync(certificate is null ? "none" : certificate.Subject);
        });
        await backend.StartAsync();
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = LoopbackApp.Address(backend) + "/");
        using var client = host.CreateClient("localhost", "client", version: Version.Parse(version));
        using var forged = X509CertificateLoader.LoadCertificateFromFile(host.Pki("client-other-ca.crt"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1") { Version = client.DefaultRequestVersion };
        request.Headers.TryAddWithoutValidation("X-Client-Cert", Convert.ToBase64String(forged.RawData));

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("none");
    }

    [Theory]
    [InlineData("public")]
    [InlineData("plain")]
    public async Task CertificateForwardingBackend_ClientForgesTheHeader_SeesNoCertificate(string listener)
    {
        using var client = _host.CreateClient("localhost", certificate: null, listener: listener);
        using var forged = X509CertificateLoader.LoadCertificateFromFile(_host.Pki("client.crt"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.TryAddWithoutValidation("X-ARR-ClientCert", Convert.ToBase64String(forged.RawData));

        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("none");
    }
}
