namespace MtlsGateway.Ops;

/// <summary>One partner of the registry: a client certificate (its SHA-256) as admitted by one policy.</summary>
internal readonly record struct PartnerKey(string Sha256, string Policy);
