using System.Text.Json.Serialization;
using k8s.Models;

namespace MtlsGateway.Tests.Deploy;

/// <summary>ServiceMonitor <c>spec</c>: which Services, and which of their ports and paths to scrape.</summary>
internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("endpoints")]
    public List<ServiceMonitorEndpoint> Endpoints { get; set; } = [];
}
