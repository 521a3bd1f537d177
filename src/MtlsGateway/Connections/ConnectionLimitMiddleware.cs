using System.Net;
using Microsoft.AspNetCore.Connections;

namespace MtlsGateway.Connections;

/// <summary>First middleware of a partner listener: admits a connection while its <see cref="ConnectionGate"/> has
/// room, else returns at once, so Kestrel closes the socket before any TLS or PROXY protocol work is spent on it.</summary>
internal sealed class ConnectionLimitMiddleware(ConnectionDelegate next, ConnectionGate gate)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!gate.TryEnter())
        {
            gate.Refused((context.RemoteEndPoint as IPEndPoint)?.Address.ToString());
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            gate.Exit();
        }
    }
}
