using System.Collections.Concurrent;
using System.Net;
using MtlsGateway.Tests.Support;
using PuppeteerSharp;

namespace MtlsGateway.Tests.Admin;

/// <summary>The status page in a real browser (headless Debian chromium): after real traffic it shows the partner, the
/// refusal with its hint, the expiring partner certificate and the routes with the migration report; its filters work;
/// it is readable on a phone; and no request it makes leaves the admin listener.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StatusPageBrowserTests
{
    [ChromiumFact]
    public async Task StatusPage_AfterTraffic_ShowsPartnersRefusalsExpiryAndRoutes_WithoutLeavingTheAdminOrigin()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => config["Gateway"]!["Policies"]!["open-status"]!["InvalidCertificate"] = "Report");
        using var pki = new TestPkiDirectory(host.Pki(""));
        using (var good = host.CreateClient("localhost", "client"))
        {
            await AdminApi.SendAsync(host, good, "/orders/1", count: 2);
        }

        using (var soon = host.CreateClientWith("localhost", pki.IssueClient("soon", "CN=acme-soon, O=Acme", s => s with { NotAfter = DateTimeOffset.UtcNow.AddDays(9) })))
        {
            await AdminApi.SendAsync(host, soon, "/status");
        }

        using (var expired = host.CreateClient("localhost", "client-expired"))
        {
            (await expired.GetAsync(new Uri("/orders/1", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var revoked = host.CreateClient("localhost", "client-revoked"))
        {
            await AdminApi.SendAsync(host, revoked, "/status");
        }

        var hint = LogSink.Property(await host.Logs.WaitForAsync("RequestRejected"), "Hint")!;
        var origin = $"http://127.0.0.1:{host.AdminPort}";
        var requested = new ConcurrentQueue<string>();
        var console = new ConcurrentQueue<string>();

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetRequestInterceptionAsync(true);
        page.Request += async (_, e) =>
        {
            requested.Enqueue(e.Request.Url);
            if (e.Request.Url.StartsWith(origin + "/", StringComparison.Ordinal))
            {
                await e.Request.ContinueAsync();
            }
            else
            {
                await e.Request.AbortAsync();
            }
        };
        page.Console += (_, e) => console.Enqueue(e.Message.Text);
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });

        var response = await page.GoToAsync(origin + "/");
        await page.WaitForSelectorAsync("body[data-loaded='true']", new WaitForSelectorOptions { Timeout = 30_000 });

        response.Status.Should().Be(HttpStatusCode.OK);
        var partners = await Text(page, "#partners");
        partners.Should().Contain("CN=acme-orders-client,O=Acme").And.Contain("spiffe://acme.test/orders/client").And.Contain("acme-orders");
        (await Text(page, "#partners tr.expiring")).Should().Contain("CN=acme-soon,O=Acme", "a certificate within 30 days is highlighted");
        var refusals = await Text(page, "#refusals");
        refusals.Should().Contain("Expired").And.Contain(hint).And.Contain("acme-expired-client");
        refusals.Should().Contain("CertificateReported").And.Contain("Revoked");
        (await Text(page, "#expiry")).Should().Contain("CN=acme-soon,O=Acme").And.Contain("server").And.Contain("crl");
        var routes = await Text(page, "#routes");
        routes.Should().Contain("/orders/{**rest}").And.Contain("Strict").And.Contain("Permissive").And.Contain("acme-orders");
        (await Text(page, "#migration")).Should().Contain("FAILED").And.Contain("Revoked").And.Contain("acme-revoked-client");
        (await Text(page, "#config")).Should().Contain("version");

        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1")
        {
            await page.ScreenshotAsync(RepositoryPaths.Combine("docs", "images", "status-page.png"), new ScreenshotOptions { FullPage = true });
        }

        // Filters: by reason, then by free text.
        await page.SelectAsync("#refusals-reason", "Expired");
        (await Column(page, "#refusals", 3)).Should().OnlyContain(reason => reason == "Expired").And.NotBeEmpty();
        await page.TypeAsync("#partners-filter", "acme-soon");
        (await Column(page, "#partners", 1)).Should().Equal("CN=acme-soon,O=Acme");
        // Sorting: the partners by days left, ascending then descending.
        await page.EvaluateFunctionAsync("() => { const f = document.querySelector('#partners-filter'); f.value = ''; f.dispatchEvent(new Event('input')); }");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#partners tbody tr').length > 1");
        await page.ClickAsync("#partners th:nth-child(6) button");
        (await Column(page, "#partners", 1)).First().Should().Be("CN=acme-soon,O=Acme");
        await page.ClickAsync("#partners th:nth-child(6) button");
        (await Column(page, "#partners", 1)).Last().Should().Be("CN=acme-soon,O=Acme");

        // A phone: the page itself never scrolls sideways (wide tables scroll inside their own box).
        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 844, IsMobile = true, DeviceScaleFactor = 2 });
        (await page.EvaluateExpressionAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue();

        requested.Should().NotBeEmpty().And.OnlyContain(url => url.StartsWith(origin + "/", StringComparison.Ordinal),
            "the page loads and fetches nothing from anywhere but the admin listener");
        requested.Should().Contain(origin + "/api/partners");
        console.Should().NotContain(message => message.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    private static Task<string> Text(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => Array.from(document.querySelectorAll(s)).map(e => e.innerText).join('\\n')", selector);

    private static async Task<List<string>> Column(IPage page, string table, int column) =>
        [.. await page.EvaluateFunctionAsync<string[]>(
            "(t, c) => Array.from(document.querySelectorAll(t + ' tbody tr')).map(r => r.querySelector('td:nth-child(' + c + ')')?.innerText ?? '')", table, column)];
}
