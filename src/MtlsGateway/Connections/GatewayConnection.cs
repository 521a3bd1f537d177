using System.Net;
using Microsoft.AspNetCore.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Runtime;

namespace MtlsGateway.Connections;

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

    /// <summary>The ClientHello as the listener middleware peeked it with the gateway's own parser, before passthrough
    /// or Kestrel's TLS saw a byte; null until then, and on plaintext listeners.</summary>
    public ClientHello? Hello { get; set; }

    /// <summary>The one SNI of the connection: the peeked hello's. The plan, the Host≠SNI check and every event use it,
    /// never .NET's <c>ClientHelloInfo.ServerName</c>, which reads only the first TLS record of the hello (an SNI in a
    /// later record is lost) and rewrites <c>xn--</c> names to Unicode.</summary>
    public string? Sni => Hello?.ServerName;

    /// <summary>Whether a request's Host names this connection's SNI (any Host, when there is none). ASP.NET Core hands
    /// the Host with <c>xn--</c> labels decoded to Unicode, the SNI is as on the wire: compared in the ASCII form.</summary>
    public bool SniMatches(string requestHost)
    {
        ArgumentNullException.ThrowIfNull(requestHost);
        if (Sni is not { } sni)
        {
            return true;
        }

        var host = requestHost.TrimEnd('.');
        if (!System.Text.Ascii.IsValid(host))
        {
            try
            {
                host = new System.Globalization.IdnMapping().GetAscii(host);
            }
            catch (ArgumentException)
            {
                return false; // not a host name at all
            }
        }

        return string.Equals(host, sni.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Set when Kestrel asked for server options, i.e. a well-formed ClientHello arrived.</summary>
    public bool HelloReceived { get; set; }

    /// <summary>The client's certificate and what it sent with it (copies shared by every connection presenting the same
    /// bytes); null when it sent none.</summary>
    public PresentedCertificate? Presented { get; set; }

    /// <summary>The client certificate's names, SANs and SHA-256, read once: the handshake check, the request check, the
    /// identity headers, the request log and refusal events all use them.</summary>
    public CertificateIdentity? ClientIdentity => Presented?.Identity;

    public bool HandshakeCompleted { get; set; }

    public string? TlsProtocol { get; set; }

    /// <summary>The last request-level verdict on this connection's certificate: requests on a keep-alive connection
    /// reuse it instead of hashing and parsing the certificate each time.</summary>
    internal Policies.AdmissionMemo? Admission { get; set; }

    /// <summary>A refusal of this connection before or in the handshake, with what the connection knows: the client's
    /// address, the listener, the SNI and the certificate.</summary>
    public RefusalDetails DescribeRefusal(ConnectionContext context, RejectReason reason, string hint, string failedSide)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remote = context.RemoteEndPoint as IPEndPoint;
        return new RefusalDetails
        {
            Reason = reason,
            Hint = hint,
            RemoteIp = remote?.Address.ToString(),
            RemotePort = remote?.Port ?? 0,
            Listener = ListenerName,
            Sni = Sni,
            ConnectionId = context.ConnectionId,
            FailedSide = failedSide,
        }.WithCertificate(ClientIdentity);
    }
}
