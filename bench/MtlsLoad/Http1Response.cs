namespace MtlsLoad;

/// <summary>What the load generator keeps of a response.</summary>
internal readonly record struct Http1Response(int Status, long BodyBytes, bool KeepAlive);
