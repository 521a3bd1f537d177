using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Tls;

/// <summary>
/// First middleware of every listener. Attaches a <see cref="GatewayConnection"/> bound to the configuration in
/// force; on TLS listeners it peeks (without consuming) at the first byte so that plain HTTP and garbage are
/// named as such, and after Kestrel's TLS layer returns it logs one <c>HandshakeFailed</c> for every handshake
/// that did not complete — Kestrel itself only writes a debug line.
/// </summary>
public sealed class ListenerConnectionMiddleware(
    ConnectionDelegate next,
    ListenerEndpoint listener,
    GatewayState state,
    TimeProvider time,
    ILogger logger)
{
    private const byte TlsHandshakeRecord = 0x16;

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = new GatewayConnection(listener.Name, listener.IsTls, state.Current);
        context.Features.Set(connection);
        if (!listener.IsTls)
        {
            await next(context);
            return;
        }

        var started = time.GetTimestamp();
        var first = await PeekFirstByteAsync(context);
        if (first is null)
        {
            return; // connected and closed without a byte: a port probe or an L4 health check
        }

        if (first == -1)
        {
            Log(context, connection, RejectReason.HandshakeTimeout,
                $"the client sent nothing within {listener.HandshakeTimeout.TotalSeconds:0.#} s; check that it speaks TLS to this port, or raise Gateway:Listeners:{listener.Name}:HandshakeTimeout",
                "client");
            return;
        }

        if (first != TlsHandshakeRecord)
        {
            Log(context, connection, RejectReason.MalformedClientHello,
                LooksLikeHttp((byte)first)
                    ? $"the client sent plain HTTP to TLS listener '{listener.Name}'; use https:// (plaintext is served only on http:// listeners)"
                    : $"the first byte 0x{first:X2} is not a TLS handshake record; the client does not speak TLS on this port",
                "client");
            return;
        }

        await next(context);
        if (!connection.HandshakeCompleted)
        {
            LogUnfinishedHandshake(context, connection, time.GetElapsedTime(started));
        }
    }

    private void LogUnfinishedHandshake(ConnectionContext context, GatewayConnection connection, TimeSpan elapsed)
    {
        if (connection.Refusal is { } refusal)
        {
            Log(context, connection, refusal.Reason, refusal.Hint, "gateway", refusal);
        }
        else if (elapsed >= listener.HandshakeTimeout)
        {
            Log(context, connection, RejectReason.HandshakeTimeout,
                $"the handshake did not finish within {listener.HandshakeTimeout.TotalSeconds:0.#} s; a slow or stalled client", "client");
        }
        else if (!connection.HelloReceived)
        {
            Log(context, connection, RejectReason.MalformedClientHello,
                "the ClientHello could not be parsed; the client is not a TLS client or its hello is corrupt", "client");
        }
        else
        {
            var server = connection.Plan?.Server.Subject ?? "(none)";
            Log(context, connection, RejectReason.ProtocolMismatch,
                $"the client ended the handshake for SNI '{connection.Sni ?? "(none)"}': either it does not trust our server certificate ({server}) — give it the issuing CA — or it shares no TLS version, cipher or ALPN protocol with us (we accept TLS 1.2 and 1.3, h2 and http/1.1)",
                "client");
        }
    }

    private void Log(ConnectionContext context, GatewayConnection connection, RejectReason reason, string hint, string side, HandshakeRefusal? refusal = null)
    {
        var remote = context.RemoteEndPoint as IPEndPoint;
        logger.HandshakeFailed(new RefusalDetails
        {
            Reason = reason,
            Hint = hint,
            RemoteIp = remote?.Address.ToString(),
            RemotePort = remote?.Port ?? 0,
            Listener = connection.ListenerName,
            Sni = connection.Sni,
            Policy = refusal?.Policy,
            TrustStore = refusal?.TrustStore,
            ChainStatus = refusal?.ChainStatus,
            ConnectionId = context.ConnectionId,
            FailedSide = side,
        }.WithCertificate(connection.ClientCertificate));
    }

    /// <summary>The first byte without consuming it; null when the client closed first, -1 on timeout.</summary>
    private async Task<int?> PeekFirstByteAsync(ConnectionContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
        timeout.CancelAfter(listener.HandshakeTimeout);
        var input = context.Transport.Input;
        try
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            int? first = buffer.IsEmpty ? null : buffer.FirstSpan[0];
            // Consumed nothing, examined nothing: the TLS layer reads the same bytes again at once.
            input.AdvanceTo(buffer.Start);
            return first;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.ConnectionClosed.IsCancellationRequested)
        {
            return -1;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static bool LooksLikeHttp(byte first) => first is (byte)'G' or (byte)'P' or (byte)'H' or (byte)'D' or (byte)'O' or (byte)'C' or (byte)'T';
}
