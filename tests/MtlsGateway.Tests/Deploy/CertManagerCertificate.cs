using System.Text.Json.Serialization;

namespace MtlsGateway.Tests.Deploy;

/// <summary>cert-manager's Certificate: the fields the gateway's component sets.</summary>
internal sealed class CertManagerCertificate : CustomResource<CertManagerCertificate.CertificateSpec>
{
    public const string TypeKey = "cert-manager.io/v1/Certificate";

    internal sealed class CertificateSpec
    {
        [JsonPropertyName("secretName")]
        public string SecretName { get; set; } = string.Empty;

        [JsonPropertyName("dnsNames")]
        public List<string> DnsNames { get; set; } = [];

        [JsonPropertyName("privateKey")]
        public PrivateKeySpec PrivateKey { get; set; } = new();

        [JsonPropertyName("usages")]
        public List<string> Usages { get; set; } = [];

        [JsonPropertyName("issuerRef")]
        public IssuerReference IssuerRef { get; set; } = new();
    }

    internal sealed class PrivateKeySpec
    {
        [JsonPropertyName("algorithm")]
        public string Algorithm { get; set; } = string.Empty;

        [JsonPropertyName("size")]
        public int Size { get; set; }

        [JsonPropertyName("rotationPolicy")]
        public string RotationPolicy { get; set; } = string.Empty;
    }

    internal sealed class IssuerReference
    {
        [JsonPropertyName("name")]
        public string Name { get; set; } = string.Empty;

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = string.Empty;
    }
}
