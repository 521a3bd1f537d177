using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// The one way a refusal is reported: its fields capped (<see cref="RefusalFieldCaps"/>), counted in the metrics every
/// time, logged in full the first time its source is seen, summarised by <see cref="RefusalThrottle"/> after that. Callers pass their own logger so the
/// event keeps the category of the code that decided.
/// </summary>
public sealed class RefusalReporter(RefusalThrottle throttle, GatewayMetrics metrics, KestrelTlsFailureCapture tlsFailures)
{
    /// <summary>What Kestrel's TLS layer said about failed handshakes, by connection.</summary>
    public KestrelTlsFailureCapture TlsFailures => tlsFailures;

    public void HandshakeFailed(ILogger logger, RefusalDetails details)
    {
        details = details.Capped();
        metrics.Refused(RefusalStage.Handshake, details);
        if (throttle.ShouldLog(RefusalStage.Handshake, details))
        {
            logger.HandshakeFailed(details);
        }
    }

    public void RequestRejected(ILogger logger, RefusalDetails details)
    {
        details = details.Capped();
        metrics.Refused(RefusalStage.Request, details);
        if (throttle.ShouldLog(RefusalStage.Request, details))
        {
            logger.RequestRejected(details);
        }
    }

    public void HandshakeSucceeded(string listener) => metrics.HandshakeSucceeded(listener);
}
