using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// First connection middleware of a listener whose <c>ProxyProtocol:Mode</c> is not Off. Reads and consumes the
/// PROXY header (v1 or v2) sent by a trusted load balancer and makes the client address it carries the
/// connection's RemoteEndPoint (and the address the client connected to its LocalEndPoint), before any TLS peeking:
/// every later log line, refusal, X-Forwarded-For and metric then names the real client. Refuses — logs
/// <c>ProxyProtocolRefused</c>, counts it, closes — an untrusted peer in Required mode, a header from an untrusted
/// peer, a missing header in Required mode, an invalid header and a header not complete in time.
/// </summary>
public sealed class ProxyProtocolMiddleware(
    ConnectionDelegate next,
    ListenerEndpoint listener,
    ProxyProtocolSettings settings,
    TimeProvider time,
    ILogger logger,
    ProxyProtocolMetrics metrics)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.RemoteEndPoint as IPEndPoint;
        var trusted = peer is not null && settings.IsTrusted(peer.Address);
        if (!trusted && settings.Mode == ProxyProtocolMode.Required)
        {
            // Refused before reading a byte: only the balancer may reach a listener that requires the header.
            Refuse(context, ProxyProtocolRefusal.UntrustedSource,
                $"{peer?.Address} is not in Gateway:Listeners:{listener.Name}:ProxyProtocol:TrustedNetworks and this listener requires a PROXY header; connect through the load balancer, or add its source network");
            return;
        }

        // The header is bounded in time by the listener's handshake timeout, and in size by the parser.
        var read = await ProxyHeaderReader.ReadAsync(context.Transport.Input, listener.HandshakeTimeout, time);
        switch (read.Outcome)
        {
            case ProxyHeaderReadOutcome.Closed:
                return; // a port probe or an L4 health check: nothing to refuse
            case ProxyHeaderReadOutcome.Header when !trusted:
                Refuse(context, ProxyProtocolRefusal.UntrustedSource,
                    $"{peer?.Address} sent a PROXY v{read.Header!.Version} header but is not in Gateway:Listeners:{listener.Name}:ProxyProtocol:TrustedNetworks; a client must not choose the address the gateway sees — add the balancer's network if this is one");
                return;
            case ProxyHeaderReadOutcome.Header:
                Apply(context, peer, read.Header!);
                break;
            case ProxyHeaderReadOutcome.Absent when settings.Mode == ProxyProtocolMode.Required:
                Refuse(context, ProxyProtocolRefusal.MissingHeader,
                    $"the connection did not start with a PROXY header and listener '{listener.Name}' requires one; enable PROXY protocol (v1 or v2) on the load balancer's target, or set ProxyProtocol:Mode to Optional");
                return;
            case ProxyHeaderReadOutcome.Absent:
                break; // Optional: served with the real peer address
            case ProxyHeaderReadOutcome.Invalid:
                Refuse(context, ProxyProtocolRefusal.InvalidHeader, $"{read.Problem}; check the load balancer's PROXY protocol settings");
                return;
            case ProxyHeaderReadOutcome.TimedOut:
                Refuse(context, ProxyProtocolRefusal.HeaderTimeout, read.BytesRead == 0
                    ? $"the peer sent nothing within {listener.HandshakeTimeout.TotalSeconds:0.#} s"
                    : $"the peer sent only {read.BytesRead} bytes of a PROXY header within {listener.HandshakeTimeout.TotalSeconds:0.#} s");
                return;
        }

        await next(context);
    }

    private void Apply(ConnectionContext context, IPEndPoint? peer, ProxyHeader header)
    {
        metrics.Accepted(listener.Name, header.Version);
        if (header.Source is null)
        {
            // LOCAL / UNKNOWN / UNSPEC: the specification says to keep the real endpoints.
            return;
        }

        context.RemoteEndPoint = header.Source;
        context.LocalEndPoint = header.Destination;
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.ProxyHeaderAccepted(header.Version, peer?.Address.ToString(), listener.Name, header.Source.Address.ToString(), header.Source.Port, context.ConnectionId);
        }
    }

    private void Refuse(ConnectionContext context, ProxyProtocolRefusal reason, string hint)
    {
        var peer = context.RemoteEndPoint as IPEndPoint;
        metrics.Refused(listener.Name, reason);
        logger.ProxyProtocolRefused(reason, hint, peer?.Address.ToString(), peer?.Port ?? 0, listener.Name, context.ConnectionId);
    }
}
