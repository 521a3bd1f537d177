using Microsoft.Extensions.Logging;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// The one way a refusal is reported: its fields capped (<see cref="RefusalFieldCaps"/>), counted in the metrics every
/// time, logged in full the first time its source is seen, summarised by <see cref="RefusalThrottle"/> after that. Callers pass their own logger so the
/// event keeps the category of the code that decided. What is logged is also what the status page lists
/// (<see cref="RecentRefusals"/>).
/// </summary>
public sealed class RefusalReporter(
    RefusalThrottle throttle, GatewayMetrics metrics, KestrelTlsFailureCapture tlsFailures, RecentRefusals recent, TimeProvider time)
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
            recent.Logged(RefusalStage.Handshake, details, time.GetUtcNow());
        }
    }

    public void RequestRejected(ILogger logger, RefusalDetails details)
    {
        details = details.Capped();
        metrics.Refused(RefusalStage.Request, details);
        if (throttle.ShouldLog(RefusalStage.Request, details))
        {
            logger.RequestRejected(details);
            recent.Logged(RefusalStage.Request, details, time.GetUtcNow());
        }
    }

    /// <summary>A request admitted by a Permissive policy with <c>InvalidCertificate: Report</c> although its certificate
    /// failed: counted, logged and summarised like a refusal, so the migration report and the log agree.</summary>
    public void CertificateReported(ILogger logger, RefusalDetails details)
    {
        details = details.Capped();
        metrics.CertificateReported(details);
        if (throttle.ShouldLog(RefusalStage.Reported, details))
        {
            logger.CertificateReported(details);
            recent.Logged(RefusalStage.Reported, details, time.GetUtcNow());
        }
    }

    public void HandshakeSucceeded(string listener) => metrics.HandshakeSucceeded(listener);
}
