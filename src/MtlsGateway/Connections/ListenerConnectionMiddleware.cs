using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Runtime;

namespace MtlsGateway.Connections;

/// <summary>
/// First middleware of every listener after the connection limit and the PROXY header. Attaches a
/// <see cref="GatewayConnection"/> bound to the configuration in force; on TLS listeners it peeks (without consuming)
/// at the whole ClientHello, so that plain HTTP, garbage and stalls are named as such (<c>HandshakeFailed</c>) and the
/// connection's SNI is the hello's, however many records it spans. What follows decides by that SNI: passthrough
/// (<c>Passthrough/PassthroughMiddleware</c>), else Kestrel's TLS layer (<c>Tls/HandshakeOutcomeMiddleware</c>).
/// </summary>
public sealed class ListenerConnectionMiddleware(
    ConnectionDelegate next,
    ListenerEndpoint listener,
    GatewayState state,
    TimeProvider time,
    ILogger logger,
    RefusalReporter reporter)
{
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

        // The whole ClientHello, peeked (never consumed) within the handshake timeout: its SNI picks passthrough or
        // Kestrel's TLS, and either one then reads the hello from its first byte.
        var peek = await ClientHelloReader.ReadAsync(context.Transport.Input, listener.HandshakeTimeout, time);
        switch (peek.Outcome)
        {
            case ClientHelloReadOutcome.Closed:
                return; // connected and closed without a byte: a port probe or an L4 health check
            case ClientHelloReadOutcome.TimedOut:
                Log(context, connection, RejectReason.HandshakeTimeout, peek.BytesRead == 0
                    ? $"the client sent nothing within {listener.HandshakeTimeout.TotalSeconds:0.#} s; check that it speaks TLS to this port, or raise Gateway:Listeners:{listener.Name}:HandshakeTimeout"
                    : $"the client sent only {peek.BytesRead} bytes of its ClientHello within {listener.HandshakeTimeout.TotalSeconds:0.#} s; a slow or stalled client, or raise Gateway:Listeners:{listener.Name}:HandshakeTimeout",
                    "client");
                return;
            case ClientHelloReadOutcome.NotTls when LooksLikeHttp(peek.FirstByte!.Value):
                // A client speaking the wrong protocol, not a broken TLS client: its own reason, and its own summary.
                Log(context, connection, RejectReason.ProtocolMismatch,
                    $"the client sent plain HTTP to TLS listener '{listener.Name}'; use https:// (plaintext is served only on http:// listeners)",
                    "client");
                return;
            case ClientHelloReadOutcome.NotTls:
                Log(context, connection, RejectReason.MalformedClientHello,
                    $"the first byte 0x{peek.FirstByte:X2} is not a TLS handshake record; the client does not speak TLS on this port",
                    "client");
                return;
            case ClientHelloReadOutcome.Malformed:
                Log(context, connection, RejectReason.MalformedClientHello,
                    $"{peek.Problem}; the client is not a TLS client or its ClientHello is corrupt", "client");
                return;
        }

        // Before anything decides by SNI: this hello is the connection's only source of it (GatewayConnection.Sni).
        connection.Hello = peek.Hello!;
        await next(context);
    }

    private void Log(ConnectionContext context, GatewayConnection connection, RejectReason reason, string hint, string side) =>
        reporter.HandshakeFailed(logger, connection.DescribeRefusal(context, reason, hint, side));

    private static bool LooksLikeHttp(byte first) => first is (byte)'G' or (byte)'P' or (byte)'H' or (byte)'D' or (byte)'O' or (byte)'C' or (byte)'T';
}
