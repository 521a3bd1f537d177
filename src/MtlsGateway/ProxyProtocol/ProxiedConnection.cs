using System.Net;

namespace MtlsGateway.ProxyProtocol;

/// <summary>
/// Connection feature set when a PROXY header was accepted: the real TCP peer (the load balancer) and the header.
/// The connection's RemoteEndPoint/LocalEndPoint already carry the header's addresses; this keeps what they replaced
/// (for a passthrough relay that would send PROXY v2 on to its destination).
/// </summary>
public sealed record ProxiedConnection(EndPoint? Peer, EndPoint? PeerLocal, ProxyHeader Header);
