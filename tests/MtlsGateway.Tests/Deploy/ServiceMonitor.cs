using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MtlsGateway.Tests.Deploy;

/// <summary>The Prometheus Operator's ServiceMonitor (a CRD the Kubernetes client has no model for): the fields the
/// gateway's example sets.</summary>
internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public const string TypeKey = "monitoring.coreos.com/v1/ServiceMonitor";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ServiceMonitorSpec Spec { get; set; } = new();
}
