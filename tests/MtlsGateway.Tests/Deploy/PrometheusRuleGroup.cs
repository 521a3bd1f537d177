using System.Text.Json.Serialization;

namespace MtlsGateway.Tests.Deploy;

/// <summary>A group of rules of a Prometheus rules file.</summary>
internal sealed class PrometheusRuleGroup
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("rules")]
    public List<PrometheusAlertRule> Rules { get; set; } = [];
}
