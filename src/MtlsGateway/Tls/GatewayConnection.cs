using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Tls;

/// <summary>
/// Per-connection facts, kept as a connection feature: what the listener and the handshake saw. Captured
/// while they happen, because Kestrel's own TLS features throw once the connection has ended.
/// </summary>
public sealed class GatewayConnection(string listenerName, bool isTls, GatewaySnapshot snapshot)
{
    public string ListenerName { get; } = listenerName;

    public bool IsTls { get; } = isTls;

    /// <summary>The configuration in force when the connection was accepted (the handshake follows it).</summary>
    public GatewaySnapshot Snapshot { get; } = snapshot;

    public string? Sni { get; set; }

    /// <summary>Set when Kestrel asked for server options, i.e. a well-formed ClientHello arrived.</summary>
    public bool HelloReceived { get; set; }

    public TlsPlan? Plan { get; set; }

    /// <summary>The client's certificate (our own copy) and the extra certificates it sent with it.</summary>
    public X509Certificate2? ClientCertificate
    {
        get => _clientCertificate;
        set
        {
            _clientCertificate = value;
            _clientIdentity = null;
        }
    }

    public X509Certificate2Collection? PresentedChain { get; set; }

    /// <summary>The client certificate's names, SANs and SHA-256, read once per connection: the handshake check, the
    /// request check, the identity headers, the request log and refusal events all use them.</summary>
    public Identity.CertificateIdentity? ClientIdentity =>
        _clientCertificate is null ? null : _clientIdentity ??= Identity.CertificateIdentity.From(_clientCertificate);

    /// <summary>SHA-256 of the client certificate (request logs carry it on every line).</summary>
    public string? ClientCertificateSha256 => ClientIdentity?.Sha256;

    private X509Certificate2? _clientCertificate;
    private Identity.CertificateIdentity? _clientIdentity;

    public bool HandshakeCompleted { get; set; }

    public string? TlsProtocol { get; set; }

    /// <summary>Our own verdict when the gateway refused the handshake.</summary>
    public HandshakeRefusal? Refusal { get; set; }

    /// <summary>The last request-level verdict on this connection's certificate: requests on a keep-alive connection
    /// reuse it instead of hashing and parsing the certificate each time.</summary>
    internal Policies.AdmissionMemo? Admission { get; set; }

    /// <summary>Identity header values computed for this connection's certificate, per policy (hot path: once, not per request).</summary>
    internal Policies.IdentityHeaderCache IdentityHeaders { get; } = new();
}
