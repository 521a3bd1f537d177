namespace MtlsGateway.Diagnostics;

/// <summary>Where a refusal happened: in the TLS handshake (<c>HandshakeFailed</c>) or on a request (<c>RequestRejected</c>).</summary>
public enum RefusalStage
{
    Handshake,
    Request,
}
