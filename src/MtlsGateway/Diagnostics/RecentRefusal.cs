
namespace MtlsGateway.Diagnostics;

/// <summary>One row of the status page's refusals: an event as logged (<c>HandshakeFailed</c>, <c>RequestRejected</c>,
/// <c>CertificateReported</c>), or a <c>RefusalsSummarised</c> event standing for <see cref="Count"/> of them.</summary>
public sealed record RecentRefusal(string Event, RefusalDetails Details, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, bool Summarised);
