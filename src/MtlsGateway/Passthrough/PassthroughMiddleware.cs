using Microsoft.AspNetCore.Connections;
using MtlsGateway.Connections;

namespace MtlsGateway.Passthrough;

/// <summary>
/// After the listener middleware peeked the ClientHello, before Kestrel's TLS layer: a connection whose SNI is a
/// <c>Gateway:Passthrough</c> host is relayed untouched (<see cref="PassthroughProxy"/>) instead of terminated.
/// </summary>
internal sealed class PassthroughMiddleware(ConnectionDelegate next, PassthroughProxy passthrough)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<GatewayConnection>() is { Hello: { } hello } connection
            && PassthroughProxy.FindRoute(connection.Snapshot, connection.Sni) is { } route)
        {
            await passthrough.RelayAsync(context, connection, route, hello);
            return;
        }

        await next(context);
    }
}
