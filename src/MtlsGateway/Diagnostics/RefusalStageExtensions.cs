namespace MtlsGateway.Diagnostics;

internal static class RefusalStageExtensions
{
    /// <summary>The event a refusal of this stage is logged as (and a summary stands for).</summary>
    public static string EventName(this RefusalStage stage) => stage switch
    {
        RefusalStage.Handshake => "HandshakeFailed",
        RefusalStage.Request => "RequestRejected",
        _ => "CertificateReported",
    };
}
