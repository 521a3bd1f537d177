using System.Net.Security;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Tls;

/// <summary>
/// The TLS settings for one SNI name: which server certificate, and whether the handshake itself enforces
/// client certificates (every route of the host is Strict) or only asks for one (mixed modes: the request
/// check decides).
/// </summary>
public sealed record TlsPlan(
    string? Sni,
    ServerCertificate Server,
    bool RequiresCertificate,
    IReadOnlyList<GatewayPolicy> HandshakePolicies,
    SslServerAuthenticationOptions Options);
