using MtlsGateway.Connections;

namespace MtlsGateway.Tls;

/// <summary>
/// What the handshake of one connection planned and decided: a connection feature that
/// <see cref="HandshakeOutcomeMiddleware"/> sets in front of Kestrel's TLS layer, <see cref="TlsHandshakeHandler"/>
/// fills, and the outcome is logged from.
/// </summary>
public sealed class TlsHandshake(GatewayConnection connection)
{
    public GatewayConnection Connection { get; } = connection;

    public TlsPlan? Plan { get; set; }

    /// <summary>Our own verdict when the gateway refused the handshake.</summary>
    public HandshakeRefusal? Refusal { get; set; }
}
