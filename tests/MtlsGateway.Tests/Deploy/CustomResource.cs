using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MtlsGateway.Tests.Deploy;

/// <summary>A CRD object the Kubernetes client has no model for: the envelope every one has, and its typed spec (only
/// the fields the gateway's manifests set, so a misspelt one fails the strict parse).</summary>
internal abstract class CustomResource<TSpec> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();
}
