using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Admin;

/// <summary>The status page's JSON for scripts: /api/refusals (fed like the log: a flood is one row and one summary
/// row), /api/expiry (soonest first), /api/routes (with the Strict migration report of Permissive routes), and the
/// page itself with its Content-Security-Policy.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StatusApiTests
{
    [Fact]
    public async Task Refusals_ShowEachLoggedRefusalWithItsHint_AndAFloodAsOneSummaryRow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Reload"]!["Enabled"] = false, time);
        using var client = host.CreateClient("localhost", "client-expired");
        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        var first = (await AdminApi.GetAsync(host, "/api/refusals")).GetProperty("refusals").EnumerateArray().ToList();
        time.Advance(TimeSpan.FromSeconds(61));
        var summary = await host.Logs.WaitForAsync("RefusalsSummarised");
        var after = (await AdminApi.GetAsync(host, "/api/refusals")).GetProperty("refusals").EnumerateArray().ToList();

        var logged = await host.Logs.WaitForAsync("RequestRejected");
        first.Should().ContainSingle();
        var row = first[0];
        row.GetProperty("event").GetString().Should().Be("RequestRejected");
        row.GetProperty("reason").GetString().Should().Be("Expired");
        row.GetProperty("hint").GetString().Should().Be(LogSink.Property(logged, "Hint"));
        row.GetProperty("count").GetInt64().Should().Be(1);
        row.GetProperty("route").GetString().Should().Be("orders");
        row.GetProperty("policy").GetString().Should().Be("acme-orders");
        row.GetProperty("remoteIp").GetString().Should().Be("127.0.0.1");
        row.GetProperty("certSubject").GetString().Should().Contain("acme-expired-client");
        after.Should().HaveCount(2);
        after[0].GetProperty("summarised").GetBoolean().Should().BeTrue();
        after[0].GetProperty("count").GetInt64().Should().Be(4).And.Be(long.Parse(LogSink.Property(summary, "Count")!, System.Globalization.CultureInfo.InvariantCulture));
        after[0].GetProperty("event").GetString().Should().Be("RequestRejected");
    }

    [Fact]
    public async Task Refusals_KeepTheLast200()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Logging"] = new System.Text.Json.Nodes.JsonObject
        {
            ["RefusalSummaryCertificatesPerIp"] = 1000,
        });
        using var pki = new TestPkiDirectory(host.Pki(""));
        // Each a new certificate from the same IP that Strict refuses: each is logged in full (a new source).
        for (var i = 0; i < 205; i++)
        {
            using var client = host.CreateClientWith("localhost", pki.IssueClient($"c{i}", $"CN=not-allowed-{i}, O=Other"));
            (await client.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        var rows = (await AdminApi.GetAsync(host, "/api/refusals")).GetProperty("refusals").EnumerateArray().ToList();

        rows.Should().HaveCount(200);
        rows[0].GetProperty("certSubject").GetString().Should().Be("CN=not-allowed-204,O=Other");
        rows[^1].GetProperty("certSubject").GetString().Should().Be("CN=not-allowed-5,O=Other");
    }

    [Fact]
    public async Task Expiry_ListsServerCaAndCrl_SoonestFirst()
    {
        await using var host = await GatewayTestHost.StartAsync();

        var items = (await AdminApi.GetAsync(host, "/api/expiry")).GetProperty("expiry").EnumerateArray().ToList();

        items.Select(i => i.GetProperty("kind").GetString()).Should().Contain(["server", "root", "intermediate", "crl"]);
        items.Select(i => i.GetProperty("at").GetDateTimeOffset()).Should().BeInAscendingOrder();
        items.Should().Contain(i => i.GetProperty("kind").GetString() == "crl" && i.GetProperty("scope").GetString() == "partners");
        items.Where(i => i.GetProperty("kind").GetString() == "server").Should().OnlyContain(i => i.GetProperty("scope").GetString()!.Contains("localhost"));
    }

    [Fact]
    public async Task Routes_ShowModePolicyAndPath_AndThePermissiveRoutesMigrationReport()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using (var anonymous = host.CreateClient("localhost", certificate: null))
        {
            await AdminApi.SendAsync(host, anonymous, "/status", count: 3);
        }

        using (var verified = host.CreateClient("localhost", "client"))
        {
            await AdminApi.SendAsync(host, verified, "/status");
        }

        var routes = (await AdminApi.GetAsync(host, "/api/routes")).GetProperty("routes").EnumerateArray()
            .ToDictionary(r => r.GetProperty("route").GetString()!);

        routes.Keys.Should().BeEquivalentTo(["orders", "status", "strict-host", "open-host"]);
        var orders = routes["orders"];
        orders.GetProperty("mode").GetString().Should().Be("Strict");
        orders.GetProperty("policy").GetString().Should().Be("acme-orders");
        orders.GetProperty("trustStore").GetString().Should().Be("partners");
        orders.GetProperty("path").GetString().Should().Be("/orders/{**rest}");
        orders.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()).Should().Equal("localhost");
        orders.TryGetProperty("migration", out _).Should().BeFalse("a Strict route has nothing left to migrate");
        routes["strict-host"].GetProperty("policy").GetString().Should().Be("acme-orders", "a route without a policy uses the default");
        var migration = routes["status"].GetProperty("migration");
        migration.GetProperty("requests").GetInt64().Should().Be(4);
        migration.GetProperty("unverified").GetInt64().Should().Be(3);
        migration.GetProperty("unverifiedShare").GetDouble().Should().Be(0.75);
        var caller = migration.GetProperty("callers").EnumerateArray().Should().ContainSingle().Subject;
        caller.GetProperty("remoteIp").GetString().Should().Be("127.0.0.1");
        caller.GetProperty("verified").GetString().Should().Be("NONE");
        caller.GetProperty("requests").GetInt64().Should().Be(3);
    }

    [Fact]
    public async Task Routes_ReportMode_NamesTheFailingCertificateAndReason()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Policies"]!["open-status"]!["InvalidCertificate"] = "Report");
        using (var revoked = host.CreateClient("localhost", "client-revoked"))
        {
            await AdminApi.SendAsync(host, revoked, "/status", count: 2);
        }

        var status = (await AdminApi.GetAsync(host, "/api/routes")).GetProperty("routes").EnumerateArray()
            .Single(r => r.GetProperty("route").GetString() == "status");

        status.GetProperty("invalidCertificate").GetString().Should().Be("Report");
        var caller = status.GetProperty("migration").GetProperty("callers").EnumerateArray().Should().ContainSingle().Subject;
        caller.GetProperty("verified").GetString().Should().Be("FAILED");
        caller.GetProperty("failure").GetString().Should().Be("Revoked");
        caller.GetProperty("subject").GetString().Should().Contain("acme-revoked-client");
        caller.GetProperty("requests").GetInt64().Should().Be(2);
        var reported = (await AdminApi.GetAsync(host, "/api/refusals")).GetProperty("refusals")[0];
        reported.GetProperty("event").GetString().Should().Be("CertificateReported");
        reported.GetProperty("reason").GetString().Should().Be("Revoked");
    }

    [Fact]
    public async Task Page_IsServedFromTheAssemblyWithAStrictContentSecurityPolicy()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };

        using var page = await admin.GetAsync(new Uri("/", UriKind.Relative));
        using var script = await admin.GetAsync(new Uri("/status.js", UriKind.Relative));
        using var style = await admin.GetAsync(new Uri("/status.css", UriKind.Relative));

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain("connect-src 'self'")
            .And.Contain("style-src 'self'").And.Contain("frame-ancestors 'none'");
        page.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("<script src=\"/status.js\"").And.NotContainAny("http://", "https://", "<style", "onclick=", "style=\"");
        script.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await script.Content.ReadAsStringAsync()).Should().Contain("/api/partners").And.NotContain("innerHTML").And.NotContainAny("http://", "https://");
        style.Content.Headers.ContentType!.MediaType.Should().Be("text/css");
        (await style.Content.ReadAsStringAsync()).Should().NotContain("url(");
    }

    [Fact]
    public async Task Page_ForAReboundHostName_Is421()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/partners", UriKind.Relative));
        request.Headers.Host = "evil.test";

        using var response = await admin.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.MisdirectedRequest);
    }
}
