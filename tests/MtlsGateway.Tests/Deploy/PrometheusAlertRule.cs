using System.Text.Json.Serialization;

namespace MtlsGateway.Tests.Deploy;

/// <summary>One alerting rule: its name, expression, pending time, labels and annotations.</summary>
internal sealed class PrometheusAlertRule
{
    [JsonPropertyName("alert")]
    public string Alert { get; set; } = string.Empty;

    [JsonPropertyName("expr")]
    public string Expr { get; set; } = string.Empty;

    [JsonPropertyName("for")]
    public string? For { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string> Labels { get; set; } = [];

    [JsonPropertyName("annotations")]
    public Dictionary<string, string> Annotations { get; set; } = [];
}
