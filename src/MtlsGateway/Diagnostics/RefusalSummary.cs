namespace MtlsGateway.Diagnostics;

/// <summary>One <c>RefusalsSummarised</c> event: the refusal's fields, and how many repeats were seen when.</summary>
internal sealed record RefusalSummary(RefusalStage Stage, RefusalDetails Details, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);
