using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Policies;

/// <summary><c>InvalidCertificate: Report</c> on a Permissive policy: a certificate that fails is admitted as no
/// certificate, with <c>X-Client-Cert-Verified: FAILED</c> and the Reason, no identity, and one
/// <c>CertificateReported</c> event (summarised like refusals); a Strict route on the same connection still refuses it.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ReportModeTests
{
    [Fact]
    public async Task MixedHost_ExpiredCertificate_PermissiveRouteAdmitsAsFailed_StrictRouteRefuses()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient("localhost", "client-expired");

        var permissive = await client.GetAsync(new Uri("/status", UriKind.Relative));
        var strict = await client.GetAsync(new Uri("/orders/1", UriKind.Relative));

        permissive.StatusCode.Should().Be(HttpStatusCode.OK);
        var headers = JsonDocument.Parse(await permissive.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        headers.GetProperty("X-Client-Cert-Verified").GetString().Should().Be("FAILED");
        headers.GetProperty("X-Client-Cert-Failure").GetString().Should().Be("Expired");
        headers.GetProperty("X-Client-Cert-Policy").GetString().Should().Be("open-status");
        foreach (var identity in new[] { "X-Forwarded-Client-Cert", "X-Client-Cert-Subject", "X-Client-Cert-Sha256", "X-Client-Cert-Issuer" })
        {
            headers.TryGetProperty(identity, out _).Should().BeFalse($"{identity} names an identity nobody verified");
        }

        strict.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await strict.Content.ReadAsStringAsync()).Should().Contain("\"reason\":\"Expired\"");

        var reported = await host.Logs.WaitForAsync("CertificateReported");
        LogSink.Property(reported, "Reason").Should().Be("Expired");
        LogSink.Property(reported, "Route").Should().Be("status");
        LogSink.Property(reported, "Policy").Should().Be("open-status");
        LogSink.Property(reported, "CertSubject").Should().Contain("acme-expired-client");
        LogSink.Property(reported, "Hint").Should().Contain("expired");
        LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Route").Should().Be("orders");
        host.Logs.Named("RequestRejected").Should().ContainSingle("the Permissive route reported, it did not refuse");

        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);
        metrics.Sum("mtls_gateway_certificates_reported_total", ("policy", "open-status"), ("reason", "Expired")).Should().Be(1);
    }

    [Fact]
    public async Task StrictOnlyHost_IsNeverAffected()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient("strict.partner.test", "client-revoked");

        var act = () => client.GetAsync(new Uri("/x", UriKind.Relative));

        await act.Should().ThrowAsync<HttpRequestException>("the Strict host refuses the certificate in the handshake");
        LogSink.Property(await host.Logs.WaitForAsync("HandshakeFailed"), "Reason").Should().Be("Revoked");
        host.Logs.Named("CertificateReported").Should().BeEmpty();
    }

    [Fact]
    public async Task SpoofedFailureHeader_FromAClientWithoutCertificate_IsRemoved()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient("localhost", certificate: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/status", UriKind.Relative));
        request.Headers.Add("X-Client-Cert-Failure", "Expired");
        request.Headers.Add("x_client_cert_verified", "FAILED");

        var response = await client.SendAsync(request);

        var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        headers.GetProperty("X-Client-Cert-Verified").GetString().Should().Be("NONE");
        headers.TryGetProperty("X-Client-Cert-Failure", out _).Should().BeFalse();
    }

    [Fact]
    public async Task RepeatedReports_AreSummarisedLikeRefusals()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(time, config => config["Gateway"]!["Reload"]!["Enabled"] = false);
        using var client = host.CreateClient("localhost", "client-not-yet-valid");
        for (var i = 0; i < 4; i++)
        {
            (await client.GetAsync(new Uri("/status", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        time.Advance(TimeSpan.FromSeconds(61));
        var summary = await host.Logs.WaitForAsync("RefusalsSummarised");

        host.Logs.Named("CertificateReported").Should().ContainSingle();
        LogSink.Property(summary, "Event").Should().Be("CertificateReported");
        LogSink.Property(summary, "Count").Should().Be("3");
        LogSink.Property(summary, "Reason").Should().Be("NotYetValid");
    }

    [Fact]
    public async Task Validate_ReportOnStrictPolicy_IsAnErrorWithItsPath()
    {
        await using var host = await StartAsync();
        var config = JsonNode.Parse(await File.ReadAllTextAsync(host.ConfigPath))!;
        config["Gateway"]!["Policies"]!["acme-orders"]!["InvalidCertificate"] = "Report";
        var path = Path.Combine(host.Directory, "strict-report.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());

        var result = MtlsGateway.Cli.ValidateCommand.Load(path, TimeProvider.System);

        result.Errors.Select(e => e.ToString()).Should().Contain(e => e.StartsWith("Gateway:Policies:acme-orders:InvalidCertificate", StringComparison.Ordinal)
            && e.Contains("Permissive", StringComparison.Ordinal));
    }

    private static Task<GatewayTestHost> StartAsync(TimeProvider? time = null, Action<JsonObject>? more = null) =>
        GatewayTestHost.StartAsync((config, _) =>
        {
            config["Gateway"]!["Policies"]!["open-status"]!["InvalidCertificate"] = "Report";
            more?.Invoke(config);
        }, time);
}
