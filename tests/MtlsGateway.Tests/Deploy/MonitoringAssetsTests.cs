using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// Issue 24, item 6: the Grafana dashboard (deploy/grafana) and the alerting rules (deploy/prometheus, and the
/// PrometheusRule of the prometheus-operator component) are valid, and every metric each of their PromQL expressions
/// selects exists in a real gateway's /metrics after traffic — a renamed metric fails here, not on a dashboard.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class MonitoringAssetsTests(ScrapeAfterTraffic scrape) : IClassFixture<ScrapeAfterTraffic>
{
    private static readonly string Dashboard = RepositoryPaths.Combine("deploy", "grafana", "mtls-gateway.json");
    private static readonly string Rules = RepositoryPaths.Combine("deploy", "prometheus", "mtls-gateway.rules.yml");
    private static readonly string RuleManifest = RepositoryPaths.Combine("deploy", "kubernetes", "components", "prometheus-operator", "prometheusrule.yaml");

    [Fact]
    public void GrafanaDashboard_EveryMetricItsPanelsQuery_IsInARealScrape()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!;
        dashboard["uid"]!.GetValue<string>().Should().Be("mtls-gateway");
        var expressions = Expressions(dashboard).ToList();

        expressions.Should().HaveCountGreaterThan(10);
        AssertEveryMetricScraped(expressions);
        Titles(dashboard).Should().Contain(["Refusals by reason", "Refusals by policy", "Requests by route and status", "CRL freshness: time to nextUpdate",
            "Partner certificates: time left", "Config reloads", "Passthrough bytes"]);
    }

    [Fact]
    public void PrometheusRules_EveryMetricTheAlertsQuery_IsInARealScrape_AndPartnerExpiryIsAlerted()
    {
        var rules = LoadRules();

        var alerts = rules.Groups.SelectMany(g => g.Rules).ToList();
        alerts.Select(r => r.Alert).Should().OnlyHaveUniqueItems().And.Contain(["GatewayCertificateExpiresSoon", "GatewayCrlStale",
            "GatewayCrlFetchFailing", "GatewayOcspFailing", "GatewayReloadFailed", "GatewayWatcherFailing", "GatewayRefusalBurst",
            "GatewayPartnerCertificateExpiresSoon"]);
        alerts.Should().OnlyContain(r => r.Annotations.ContainsKey("summary") && r.Labels.ContainsKey("severity"));
        AssertEveryMetricScraped(alerts.Select(r => r.Expr));
    }

    [Fact]
    public void PrometheusRuleManifest_HoldsTheSameGroupsAsThePlainRulesFile()
    {
        var manifest = KubernetesYaml.LoadAllFromString(File.ReadAllText(RuleManifest),
            new Dictionary<string, Type> { [PrometheusRule.TypeKey] = typeof(PrometheusRule) }, strict: true).Single().Should().BeOfType<PrometheusRule>().Subject;

        manifest.Metadata.NamespaceProperty.Should().Be("mtls-gateway");
        JsonSerializer.Serialize(manifest.Spec).Should().Be(JsonSerializer.Serialize(LoadRules()), "one set of alerts, shipped twice");
    }

    [PromtoolFact]
    public async Task PrometheusRules_CheckedByPromtool_AreValid()
    {
        var result = await ProcessRunner.RunAsync(PromtoolFactAttribute.Executable, ["check", "rules", Rules], TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().Contain("SUCCESS");
    }

    [PromtoolFact]
    public async Task GrafanaDashboardQueries_ParsedByPromtool_AreValidPromQl()
    {
        // promtool parses PromQL in rule files only: each panel query becomes a recording rule, Grafana's variables
        // replaced by what Grafana substitutes.
        var expressions = Expressions(JsonNode.Parse(await File.ReadAllTextAsync(Dashboard))!)
            .Select(e => e.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$namespace", ".*", StringComparison.Ordinal));
        var file = Path.Combine(Path.GetTempPath(), $"mtlsgw-dashboard-{Guid.NewGuid():N}.rules.yml");
        await File.WriteAllTextAsync(file, "groups:\n  - name: dashboard\n    rules:\n" +
            string.Concat(expressions.Select((e, i) => $"      - record: dashboard:query{i}\n        expr: {JsonSerializer.Serialize(e)}\n")));
        try
        {
            var result = await ProcessRunner.RunAsync(PromtoolFactAttribute.Executable, ["check", "rules", file], TimeSpan.FromSeconds(30));

            result.ExitCode.Should().Be(0, result.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static PrometheusRuleSpec LoadRules() => KubernetesYaml.Deserialize<PrometheusRuleSpec>(File.ReadAllText(Rules), strict: true);

    private void AssertEveryMetricScraped(IEnumerable<string> expressions)
    {
        foreach (var expression in expressions)
        {
            var metrics = PromQlMetricNames.Of(expression);
            metrics.Should().NotBeEmpty($"'{expression}' selects a metric");
            foreach (var metric in metrics)
            {
                scrape.Has(metric).Should().BeTrue($"'{expression}' queries {metric}, which a gateway that has seen traffic must export");
            }
        }
    }

    private static IEnumerable<string> Expressions(JsonNode dashboard) =>
        Panels(dashboard).SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>());

    private static IEnumerable<string> Titles(JsonNode dashboard) => Panels(dashboard).Select(p => p["title"]!.GetValue<string>());

    private static IEnumerable<JsonNode> Panels(JsonNode parent) =>
        (parent["panels"]?.AsArray() ?? []).OfType<JsonNode>().SelectMany(p => Panels(p).Prepend(p));
}
