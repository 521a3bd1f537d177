using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using MtlsGateway.Connections;

namespace MtlsGateway.Tls;

/// <summary>Runs after Kestrel's TLS layer, so only for completed handshakes: marks the connection as such and, with
/// <c>Gateway:Limits:ReleaseTlsBuffers</c> (<paramref name="bufferRelease"/> not null), lets OpenSSL free the
/// session's idle record buffers. When the HTTP layer is done with the connection it closes TLS with a close_notify
/// alert, as nginx and HAProxy do: .NET otherwise closes quietly, and OpenSSL-based clients (curl, openssl, most
/// language runtimes) treat a TLS session that ended without close_notify as not resumable, so their next
/// connection after a <c>Connection: close</c> response paid for a full handshake.</summary>
internal sealed class HandshakeAndCloseNotifyMiddleware(ConnectionDelegate next, OpenSslBufferRelease? bufferRelease)
{
    // close_notify is one small record; a peer that does not take it within this is gone anyway. A network timeout,
    // so on the real clock (as Kestrel's own are), not the gateway's TimeProvider.
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

    private static async Task CloseNotifyAsync(SslStream tls)
    {
        var shutdown = tls.ShutdownAsync();
        try
        {
            await shutdown.WaitAsync(CloseNotifyTimeout);
        }
        catch (TimeoutException)
        {
            // Kestrel disposes the stream next, which may fault the write still pending: observe that, do not wait for it.
            _ = shutdown.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException
            or System.Security.Authentication.AuthenticationException or NotSupportedException)
        {
            // The peer went first or is gone: nothing to tell it.
        }
    }
}
