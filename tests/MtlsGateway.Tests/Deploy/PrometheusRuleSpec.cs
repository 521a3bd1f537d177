using System.Text.Json.Serialization;

namespace MtlsGateway.Tests.Deploy;

/// <summary>A Prometheus rules file (<c>groups:</c>), which is also a PrometheusRule's <c>spec</c>: the fields the
/// gateway's rules set, so a misspelt one fails the strict parse.</summary>
internal sealed class PrometheusRuleSpec
{
    [JsonPropertyName("groups")]
    public List<PrometheusRuleGroup> Groups { get; set; } = [];
}
