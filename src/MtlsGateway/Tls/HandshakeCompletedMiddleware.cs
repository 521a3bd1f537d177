using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace MtlsGateway.Tls;

/// <summary>Runs after Kestrel's TLS layer, so only for completed handshakes: marks the connection as such.</summary>
public static class HandshakeCompletedMiddleware
{
    public static ConnectionDelegate Create(ConnectionDelegate next) => context =>
    {
        if (context.Features.Get<GatewayConnection>() is { } connection)
        {
            connection.HandshakeCompleted = true;
            connection.TlsProtocol = context.Features.Get<ITlsHandshakeFeature>()?.Protocol.ToString();
        }

        return next(context);
    };
}
