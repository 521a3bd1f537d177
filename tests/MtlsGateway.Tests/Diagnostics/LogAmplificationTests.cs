using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>A client chooses what its certificate says: a certificate with thousands of names is one bounded log line,
/// and a client minting a certificate per connection gets a few full events, then one summary by its remote IP
/// (docs/security.md, "Log amplification").</summary>
[Trait("Category", "EndToEnd")]
public sealed class LogAmplificationTests
{
    private const int Sans = 3600;

    [Fact]
    public async Task CertificateWithThousandsOfSans_RefusalEvents_ListTenNamesAndStayShort()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var certificate = SelfSigned("CN=flood, O=" + new string('o', 2000), Sans);

        // The Permissive route on the mixed host refuses it per request; the Strict-only host in the handshake.
        using (var client = host.CreateClientWith("localhost", certificate))
        {
            (await client.GetAsync("/status")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await TlsProbe.HandshakeAsync(host.Port(), "strict.partner.test", certificate)).Completed.Should().BeFalse();

        foreach (var name in new[] { "RequestRejected", "HandshakeFailed" })
        {
            var refusal = await host.Logs.WaitForAsync(name);
            LogSink.Property(refusal, "Reason").Should().Be("BadSignature", "a 50 KB certificate is over MaxCertificateSize");
            var dns = LogSink.Property(refusal, "CertDns")!.Split(',');
            dns.Should().HaveCount(11, "ten names, then how many more");
            dns[0].Should().Be("n0.f.test");
            dns[^1].Should().Be($"+{Sans - 10} more");
            var subject = LogSink.Property(refusal, "CertSubject")!;
            subject.Should().StartWith("CN=flood,O=ooo").And.EndWith("chars)");
            subject.Length.Should().BeLessThan(300);
            var hint = LogSink.Property(refusal, "Hint")!;
            hint.Should().Contain("chars)", "the hint names the certificate by its 2 KB subject, capped").And.Contain("raise MaxCertificateSize only if", "the advice survives");
            hint.Length.Should().BeLessThan(1100);
            LogSink.Property(refusal, "CertSha256").Should().Be(certificate.TargetCertificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
            Clef(refusal).Length.Should().BeLessThan(8 * 1024, "the {0} line of a {1}-byte certificate", name, certificate.TargetCertificate.RawData.Length);
        }
    }

    [Fact]
    public async Task NewCertificateEachConnection_FromOneIp_IsSummarisedByTheIpAndCountedInFull()
    {
        const int attempts = 12;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync(
            (config, _) => config["Gateway"]!["Reload"] = new JsonObject { ["Enabled"] = false }, time);

        for (var i = 0; i < attempts; i++)
        {
            using var client = host.CreateClientWith("localhost", SelfSigned($"CN=minted-{i}", 1));
            (await client.GetAsync("/status")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        var perIp = GatewayLoggingOptions.DefaultRefusalSummaryCertificatesPerIp;
        host.Logs.Named("RequestRejected").Should().HaveCount(perIp, "the first certificates from an IP are logged in full");
        host.Gateway.Services.GetRequiredService<RefusalThrottle>().TrackedSources.Should().Be(perIp + 1, "those certificates and the IP; not one per certificate");

        time.Advance(TimeSpan.FromSeconds(61));

        var summary = host.Logs.Named("RefusalsSummarised").Should().ContainSingle().Subject;
        LogSink.Property(summary, "Event").Should().Be("RequestRejected");
        LogSink.Property(summary, "Reason").Should().Be("UntrustedIssuer");
        LogSink.Property(summary, "RemoteIp").Should().Be("127.0.0.1");
        LogSink.Property(summary, "Policy").Should().Be("open-status");
        LogSink.Property(summary, "Count").Should().Be((attempts - perIp).ToString(CultureInfo.InvariantCulture));
        LogSink.Property(summary, "CertSha256").Should().BeNull("it stands for many certificates");
        LogSink.Property(summary, "Hint").Should().Contain("RefusalSummaryCertificatesPerIp").And.Contain("self-signed");

        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);
        metrics.Sum("mtls_gateway_refusals_total", ("reason", "UntrustedIssuer"), ("stage", "request")).Should().Be(attempts);

        // A quiet interval later the IP's certificates are news again.
        time.Advance(TimeSpan.FromSeconds(61));
        using (var again = host.CreateClientWith("localhost", SelfSigned("CN=minted-later", 1)))
        {
            (await again.GetAsync("/status")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        host.Logs.Named("RequestRejected").Should().HaveCount(perIp + 1);
    }

    private static SslStreamCertificateContext SelfSigned(string subject, int dnsNames)
    {
        var now = DateTimeOffset.UtcNow;
        using var issued = CertificateAuthority.CreateSelfSigned(new CertificateSpec
        {
            Subject = subject,
            NotBefore = now.AddDays(-1),
            NotAfter = now.AddDays(1),
            DnsNames = [.. Enumerable.Range(0, dnsNames).Select(i => $"n{i}.f.test")],
        });
        var leaf = X509CertificateLoader.LoadPkcs12(issued.Certificate.Export(X509ContentType.Pkcs12), password: null);
        return SslStreamCertificateContext.Create(leaf, additionalCertificates: null, offline: true);
    }

    private static string Clef(LogEvent e)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        new CompactJsonFormatter().Format(e, text);
        return text.ToString();
    }
}
