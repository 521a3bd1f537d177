using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace MtlsGateway.Tls;

/// <summary>Runs after Kestrel's TLS layer, so only for completed handshakes: marks the connection as such and, with
/// <c>Gateway:Limits:ReleaseTlsBuffers</c> (<paramref name="bufferRelease"/> not null), lets OpenSSL free the
/// session's idle record buffers. When the HTTP layer is done with the connection it closes TLS with a close_notify
/// alert, as nginx and HAProxy do: .NET otherwise closes quietly, and OpenSSL-based clients (curl, openssl, most
/// language runtimes) treat a TLS session that ended without close_notify as not resumable, so their next
/// connection after a <c>Connection: close</c> response paid for a full handshake.</summary>
internal sealed class HandshakeCompletedMiddleware(ConnectionDelegate next, OpenSslBufferRelease? bufferRelease, TimeProvider time)
{
    // close_notify is one small record; a peer that does not take it within this is gone anyway.
    private static readonly TimeSpan CloseNotifyTimeout = TimeSpan.FromSeconds(1);

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var tls = context.Features.Get<ISslStreamFeature>()?.SslStream;
        if (context.Features.Get<GatewayConnection>() is { } connection)
        {
            connection.HandshakeCompleted = true;
            connection.TlsProtocol = context.Features.Get<ITlsHandshakeFeature>()?.Protocol.ToString();
            if (bufferRelease is not null && tls is not null)
            {
                // Before the HTTP layer reads: no TLS I/O is in flight on the session yet.
                bufferRelease.Apply(tls);
            }
        }

        await next(context);
        if (tls is not null && !context.ConnectionClosed.IsCancellationRequested)
        {
            await CloseNotifyAsync(tls);
        }
    }

    private async Task CloseNotifyAsync(SslStream tls)
    {
        try
        {
            await tls.ShutdownAsync().WaitAsync(CloseNotifyTimeout, time);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException
            or System.Security.Authentication.AuthenticationException or NotSupportedException)
        {
            // The peer went first or is gone: nothing to tell it.
        }
    }
}
