using System.Net.Security;
using System.Security.Cryptography;

namespace MtlsGateway.Identity;

/// <summary>
/// TLS to one YARP cluster's backends, compiled from <c>Gateway:Upstreams:{ClusterId}</c>: the client certificate the
/// gateway presents, with the chain its file holds (null: none), and the trust store that verifies the backends'
/// server certificates (null: the operating system's store). Immutable; a reload builds new ones.
/// </summary>
internal sealed record UpstreamTls(string ClusterId, SslStreamCertificateContext? ClientCertificate, TrustStore? TrustStore)
{
    /// <summary>Changes exactly when what goes on the wire or what is trusted changes (not on a no-op reload).</summary>
    public string Fingerprint { get; } = string.Join('|',
        ClientCertificate is null ? "-" : ClientCertificate.TargetCertificate.GetCertHashString(HashAlgorithmName.SHA256),
        string.Join(',', ClientCertificate?.IntermediateCertificates.Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)) ?? []),
        TrustStore?.Fingerprint ?? "-");
}
