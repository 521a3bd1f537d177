namespace MtlsGateway.Identity;

/// <summary>A CRL that names an issuer but cannot vouch for its certificates: why (<paramref name="Status"/>) and where it came from.</summary>
public sealed record CrlRejection(string Source, CrlSignatureStatus Status);
