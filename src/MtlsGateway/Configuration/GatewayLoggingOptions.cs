namespace MtlsGateway.Configuration;

/// <summary>The <c>Gateway:Logging</c> section: what the gateway itself logs besides refusals.</summary>
public sealed class GatewayLoggingOptions
{
    public static readonly TimeSpan DefaultRefusalSummaryInterval = TimeSpan.FromSeconds(60);

    public const int DefaultRefusalSummaryMaxSources = 1000;

    public const int DefaultRefusalSummaryCertificatesPerIp = 5;

    /// <summary>One compact <c>RequestCompleted</c> line per admitted request (on by default).</summary>
    public bool Requests { get; set; } = true;

    /// <summary>How often repeated refusals from one source are summarised in a <c>RefusalsSummarised</c> event.</summary>
    public TimeSpan RefusalSummaryInterval { get; set; } = DefaultRefusalSummaryInterval;

    /// <summary>How many distinct sources are tracked per interval; refusals from further sources share one overflow summary.</summary>
    public int RefusalSummaryMaxSources { get; set; } = DefaultRefusalSummaryMaxSources;

    /// <summary>How many distinct certificates from one remote IP (same event, reason and policy) are logged in full per
    /// interval; refusals with further certificates from that IP are summarised by the IP (at least 1).</summary>
    public int RefusalSummaryCertificatesPerIp { get; set; } = DefaultRefusalSummaryCertificatesPerIp;
}
