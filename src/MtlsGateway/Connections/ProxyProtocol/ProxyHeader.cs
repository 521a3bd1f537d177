using System.Net;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// A parsed PROXY protocol header. <see cref="Source"/> and <see cref="Destination"/> are null when the header
/// carries no addresses to use (v2 LOCAL — the balancer's own health check —, v1 UNKNOWN, v2 UNSPEC): the
/// connection then keeps its real endpoints, as the specification requires.
/// </summary>
/// <param name="Version">1 (text) or 2 (binary).</param>
/// <param name="Length">Bytes the header occupies on the wire, TLVs included; they are consumed.</param>
public sealed record ProxyHeader(int Version, bool IsLocal, IPEndPoint? Source, IPEndPoint? Destination, int Length);
