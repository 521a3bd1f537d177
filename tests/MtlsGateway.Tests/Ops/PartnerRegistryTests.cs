using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Tests.Admin;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Ops;

/// <summary>/api/partners lists every admitted client certificate (once per certificate and policy, its requests
/// counted), never a refused one; the list is bounded (MaxPartners, least recent dropped) and forgets partners not
/// seen within PartnerRetention; an expiring certificate is logged once a day and exported as a gauge.</summary>
[Trait("Category", "EndToEnd")]
public sealed class PartnerRegistryTests
{
    [Fact]
    public async Task Partners_AfterAdmittedAndRefusedTraffic_ListOnlyTheAdmittedWithTheirRequests()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using (var good = host.CreateClient("localhost", "client"))
        {
            await AdminApi.SendAsync(host, good, "/orders/1", count: 3);
        }

        using (var expired = host.CreateClient("localhost", "client-expired"))
        {
            (await expired.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        }

        var partners = (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners").EnumerateArray().ToList();

        partners.Should().ContainSingle();
        var partner = partners[0];
        partner.GetProperty("subject").GetString().Should().Be("CN=acme-orders-client,O=Acme");
        partner.GetProperty("spiffeId").GetString().Should().Be("spiffe://acme.test/orders/client");
        partner.GetProperty("dnsNames").GetString().Should().Be("orders.acme.test");
        partner.GetProperty("policy").GetString().Should().Be("acme-orders");
        partner.GetProperty("partner").GetString().Should().Be("acme-orders");
        partner.GetProperty("sha256").GetString().Should().MatchRegex("^[0-9A-F]{64}$");
        partner.GetProperty("requests").GetInt64().Should().Be(3);
        partner.GetProperty("connections").GetInt64().Should().Be(1);
        partner.GetProperty("remoteIps").EnumerateArray().Select(i => i.GetString()).Should().Equal("127.0.0.1");
        partner.GetProperty("expiring").GetBoolean().Should().BeFalse();
        partner.GetProperty("daysLeft").GetDouble().Should().BeGreaterThan(3000);
    }

    [Fact]
    public async Task Partners_SameCertificateUnderTwoPolicies_AreTwoEntries()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var client = host.CreateClient("localhost", "client");
        await AdminApi.SendAsync(host, client, "/orders/1");
        await AdminApi.SendAsync(host, client, "/status", count: 2);

        var partners = (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners").EnumerateArray()
            .ToDictionary(p => p.GetProperty("policy").GetString()!, p => p.GetProperty("requests").GetInt64());

        partners.Should().BeEquivalentTo(new Dictionary<string, long> { ["acme-orders"] = 1, ["open-status"] = 2 });
    }

    [Fact]
    public async Task Partners_BeyondMaxPartners_DropTheLeastRecentlySeen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync((config, _) => Configure(config, "MaxPartners", 2), time);
        using var pki = new TestPkiDirectory(host.Pki(""));
        foreach (var name in new[] { "first", "second", "third" })
        {
            using var client = host.CreateClientWith("localhost", pki.IssueClient(name, $"CN={name}, O=Partner"));
            await AdminApi.SendAsync(host, client, "/status");
            time.Advance(TimeSpan.FromMinutes(1));
        }

        var subjects = (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners").EnumerateArray()
            .Select(p => p.GetProperty("subject").GetString()).ToList();

        subjects.Should().Equal("CN=third,O=Partner", "CN=second,O=Partner");
    }

    [Fact]
    public async Task Partners_NotSeenWithinRetention_AreForgotten()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync((config, _) => Configure(config, "PartnerRetention", "01:00:00"), time);
        using (var old = host.CreateClient("localhost", "client"))
        {
            await AdminApi.SendAsync(host, old, "/status");
        }

        time.Advance(TimeSpan.FromMinutes(59));
        (await Subjects(host)).Should().Equal("CN=acme-orders-client,O=Acme");

        time.Advance(TimeSpan.FromMinutes(2));
        using (var fresh = host.CreateClient("localhost", "client-spiffe"))
        {
            await AdminApi.SendAsync(host, fresh, "/status");
        }

        (await Subjects(host)).Should().Equal("CN=acme-spiffe-workload,O=Acme");
    }

    [Fact]
    public async Task ExpiringCertificate_IsLoggedOnceADayAndExportedAsGauge()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync((config, _) => Configure(config, "ClientExpiryWarning", "30.00:00:00"), time);
        using var pki = new TestPkiDirectory(host.Pki(""));
        var notAfter = time.GetUtcNow().AddDays(9).AddHours(12);
        var certificate = pki.IssueClient("acme-soon", "CN=acme-soon, O=Acme", spec => spec with { NotAfter = notAfter });

        for (var i = 0; i < 2; i++)
        {
            using var client = host.CreateClientWith("localhost", certificate);
            await AdminApi.SendAsync(host, client, "/status");
        }

        var warning = host.Logs.Named("ClientCertificateExpiring").Should().ContainSingle().Subject;
        LogSink.Property(warning, "CertSubject").Should().Be("CN=acme-soon,O=Acme");
        LogSink.Property(warning, "DaysLeft").Should().Be("9");
        LogSink.Property(warning, "Policy").Should().Be("open-status");
        LogSink.Property(warning, "RemoteIp").Should().Be("127.0.0.1");
        var partner = (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners")[0];
        partner.GetProperty("expiring").GetBoolean().Should().BeTrue();
        partner.GetProperty("daysLeft").GetDouble().Should().Be(9);

        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);
        metrics.Samples.Should().ContainSingle(s => s.Name == "mtls_gateway_client_certificate_expiry_timestamp_seconds"
                && s.Labels["subject"] == "CN=acme-soon,O=Acme" && s.Labels["policy"] == "open-status")
            .Which.Value.Should().Be(notAfter.ToUnixTimeSeconds());

        time.Advance(TimeSpan.FromHours(25));
        using (var nextDay = host.CreateClientWith("localhost", certificate))
        {
            await AdminApi.SendAsync(host, nextDay, "/status");
        }

        host.Logs.Named("ClientCertificateExpiring").Select(e => LogSink.Property(e, "DaysLeft")).Should().Equal("9", "8");
    }

    [Fact]
    public async Task MaxPartnersZero_RegistryOff_RequestsServedNothingListedNoGaugeNoWarning()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync((config, _) => Configure(config, "MaxPartners", 0), time);
        using var pki = new TestPkiDirectory(host.Pki(""));
        using (var expiring = host.CreateClientWith("localhost", pki.IssueClient("soon", "CN=soon, O=Partner", spec => spec with { NotAfter = time.GetUtcNow().AddDays(9) })))
        {
            await AdminApi.SendAsync(host, expiring, "/status", count: 2);
        }

        var partners = (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners").GetArrayLength();
        var metrics = await PrometheusText.ScrapeAsync(host.AdminPort);

        partners.Should().Be(0);
        metrics.Samples.Should().NotContain(s => s.Name == "mtls_gateway_client_certificate_expiry_timestamp_seconds");
        metrics.Sum("mtls_gateway_requests_total", ("route", "status"), ("status", "200")).Should().Be(2);
        host.Logs.Named("ClientCertificateExpiring").Should().BeEmpty();
    }

    [Theory]
    [InlineData("MaxPartners", "-1", "Gateway:Diagnostics:MaxPartners")]
    [InlineData("PartnerRetention", "\"-01:00:00\"", "Gateway:Diagnostics:PartnerRetention")]
    [InlineData("ClientExpiryWarning", "\"400.00:00:00\"", "Gateway:Diagnostics:ClientExpiryWarning")]
    public async Task Validate_BadDiagnosticsValue_NamesItsPath(string key, string value, string path)
    {
        await using var host = await GatewayTestHost.StartAsync();
        var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(host.ConfigPath))!;
        config["Gateway"]!["Diagnostics"] = System.Text.Json.Nodes.JsonNode.Parse($"{{ \"{key}\": {value} }}");
        var path2 = Path.Combine(host.Directory, "bad.json");
        await File.WriteAllTextAsync(path2, config.ToJsonString());

        var result = MtlsGateway.Cli.ValidateCommand.Load(path2, TimeProvider.System);

        result.Errors.Select(e => e.ToString()).Should().Contain(e => e.StartsWith(path, StringComparison.Ordinal));
    }

    /// <summary>Sets one <c>Gateway:Diagnostics</c> key; the fake clock jumps days, so no file polling.</summary>
    private static void Configure(System.Text.Json.Nodes.JsonObject config, string key, System.Text.Json.Nodes.JsonNode value)
    {
        config["Gateway"]!["Diagnostics"] = new System.Text.Json.Nodes.JsonObject { [key] = value };
        config["Gateway"]!["Reload"]!["Enabled"] = false;
    }

    private static async Task<List<string?>> Subjects(GatewayTestHost host) =>
        (await AdminApi.GetAsync(host, "/api/partners")).GetProperty("partners").EnumerateArray()
            .Select(p => p.GetProperty("subject").GetString()).ToList();
}
