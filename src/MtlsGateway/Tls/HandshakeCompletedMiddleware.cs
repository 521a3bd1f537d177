using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace MtlsGateway.Tls;

/// <summary>Runs after Kestrel's TLS layer, so only for completed handshakes: marks the connection as such and, with
/// <c>Gateway:Limits:ReleaseTlsBuffers</c> (<paramref name="bufferRelease"/> not null), lets OpenSSL free the
/// session's idle record buffers.</summary>
internal sealed class HandshakeCompletedMiddleware(ConnectionDelegate next, OpenSslBufferRelease? bufferRelease)
{
    public Task OnConnectionAsync(ConnectionContext context)
    {
        if (context.Features.Get<GatewayConnection>() is { } connection)
        {
            connection.HandshakeCompleted = true;
            connection.TlsProtocol = context.Features.Get<ITlsHandshakeFeature>()?.Protocol.ToString();
            if (bufferRelease is not null && context.Features.Get<ISslStreamFeature>() is { } tls)
            {
                // Before the HTTP layer reads: no TLS I/O is in flight on the session yet.
                bufferRelease.Apply(tls.SslStream);
            }
        }

        return next(context);
    }
}
