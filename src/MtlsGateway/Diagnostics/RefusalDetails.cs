namespace MtlsGateway.Diagnostics;

/// <summary>
/// Everything a refusal event says (GATEWAY.md, "Logs"): who, from where, which policy, why and what to fix.
/// The same fields serve <c>HandshakeFailed</c> and <c>RequestRejected</c>.
/// </summary>
public sealed record RefusalDetails
{
    public required RejectReason Reason { get; init; }

    public required string Hint { get; init; }

    public string? RemoteIp { get; init; }

    public int RemotePort { get; init; }

    public string? Listener { get; init; }

    public string? Sni { get; init; }

    public string? Host { get; init; }

    public string? Route { get; init; }

    public string? Policy { get; init; }

    public string? TrustStore { get; init; }

    /// <summary>The policy's partner the verdict concerns (the sole partner of a TrustStore + Allow policy), or null.</summary>
    public string? Partner { get; init; }

    public string? TlsProtocol { get; init; }

    public string? CertSubject { get; init; }

    public string? CertIssuer { get; init; }

    public string? CertSerial { get; init; }

    public string? CertSha256 { get; init; }

    public DateTimeOffset? CertNotBefore { get; init; }

    public DateTimeOffset? CertNotAfter { get; init; }

    public string? CertDns { get; init; }

    public string? CertUris { get; init; }

    public string? ChainStatus { get; init; }

    public string? ConnectionId { get; init; }

    /// <summary>The request's trace id (<c>RequestRejected</c> only), as the problem+json body shows it to the client.</summary>
    public string? TraceId { get; init; }

    /// <summary>Which side ended the handshake: <c>gateway</c> (our verdict) or <c>client</c>.</summary>
    public string? FailedSide { get; init; }

    /// <summary>The fields a client chooses (certificate names, SNI, Host) and those built from them (the hint, the
    /// chain status) within <see cref="RefusalFieldCaps"/>; names from the configuration and ids the gateway makes are
    /// left as they are. Applied once, before the refusal is counted, logged or kept.</summary>
    public RefusalDetails Capped() => this with
    {
        Hint = RefusalFieldCaps.Truncate(Hint, RefusalFieldCaps.HintLength)!,
        Sni = RefusalFieldCaps.Truncate(Sni),
        Host = RefusalFieldCaps.Truncate(Host),
        CertSubject = RefusalFieldCaps.Truncate(CertSubject),
        CertIssuer = RefusalFieldCaps.Truncate(CertIssuer),
        CertSerial = RefusalFieldCaps.Truncate(CertSerial),
        CertSha256 = RefusalFieldCaps.Truncate(CertSha256),
        ChainStatus = RefusalFieldCaps.Truncate(ChainStatus),
    };
}
