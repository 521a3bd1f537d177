namespace MtlsGateway.Runtime;

/// <summary>Why the reload watcher cannot look at the files (a look threw, or has not finished), since when.
/// While one is set, <c>/readyz</c> answers 503 with it: the gateway serves, but changes (a new CRL) are not applied.</summary>
public sealed record WatcherFault(string Reason, DateTimeOffset Since);
