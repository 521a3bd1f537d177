namespace MtlsGateway.Diagnostics;

/// <summary>Where a refusal happened: in the TLS handshake (<c>HandshakeFailed</c>) or on a request (<c>RequestRejected</c>);
/// or a request admitted although its certificate failed (<c>CertificateReported</c>, <c>InvalidCertificate: Report</c>).</summary>
public enum RefusalStage
{
    Handshake,
    Request,
    Reported,
}
