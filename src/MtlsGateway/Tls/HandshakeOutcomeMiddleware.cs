using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Tls;

/// <summary>
/// Wraps Kestrel's TLS layer on every TLS connection that is not passed through: after it returns, logs one
/// <c>HandshakeFailed</c> for every handshake that did not complete (Kestrel itself only writes a debug line), with the
/// gateway's own verdict when it refused (<see cref="TlsHandshake.Refusal"/>), else what Kestrel reported
/// (<see cref="TlsFailureClassifier"/>); counts the others.
/// </summary>
internal sealed class HandshakeOutcomeMiddleware(
    ConnectionDelegate next,
    ListenerEndpoint listener,
    TimeProvider time,
    ILogger logger,
    RefusalReporter reporter)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Features.Get<GatewayConnection>()
            ?? throw new InvalidOperationException("The connection was not accepted by the gateway's listener middleware.");
        var handshake = new TlsHandshake(connection);
        context.Features.Set(handshake);
        var started = time.GetTimestamp();
        await next(context);
        if (!connection.HandshakeCompleted)
        {
            LogUnfinishedHandshake(context, handshake, time.GetElapsedTime(started));
        }
        else
        {
            reporter.HandshakeSucceeded(listener.Name);
        }
    }

    private void LogUnfinishedHandshake(ConnectionContext context, TlsHandshake handshake, TimeSpan elapsed)
    {
        // Always taken, so that the capture's table never keeps an entry for a finished connection.
        var failure = reporter.TlsFailures.Take(context.ConnectionId);
        if (handshake.Refusal is { } refusal)
        {
            reporter.HandshakeFailed(logger, handshake.Connection.DescribeRefusal(context, refusal.Reason, refusal.Hint, "gateway") with
            {
                Policy = refusal.Policy,
                TrustStore = refusal.TrustStore,
                Partner = refusal.Partner,
                ChainStatus = refusal.ChainStatus,
            });
            return;
        }

        var (reason, hint) = TlsFailureClassifier.Classify(failure, handshake, listener.Name, listener.HandshakeTimeout, elapsed);
        reporter.HandshakeFailed(logger, handshake.Connection.DescribeRefusal(context, reason, hint, "client"));
    }
}
