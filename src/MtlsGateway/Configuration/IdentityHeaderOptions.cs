namespace MtlsGateway.Configuration;

/// <summary>Which identity headers a policy sends to the backend, and under which names.</summary>
public sealed class IdentityHeaderOptions
{
    public bool Xfcc { get; set; } = true;

    /// <summary>Adds <c>Cert="…"</c> (URL-encoded PEM) to the XFCC element.</summary>
    public bool XfccCert { get; set; }

    /// <summary>Sends the <c>X-Client-Cert-*</c> part headers.</summary>
    public bool Parts { get; set; } = true;

    public bool ArrClientCert { get; set; }

    /// <summary>Sends RFC 9440 <c>Client-Cert</c> and, when the client sent intermediates, <c>Client-Cert-Chain</c>.</summary>
    public bool Rfc9440 { get; set; }

    /// <summary>Overrides of header names, keyed by <c>Xfcc</c>, <c>Verified</c>, <c>Subject</c>, <c>Issuer</c>,
    /// <c>Serial</c>, <c>Sha256</c>, <c>NotAfter</c>, <c>Dns</c>, <c>Uri</c>, <c>Policy</c>, <c>ArrClientCert</c>, <c>Partner</c>,
    /// <c>ClientCert</c>, <c>ClientCertChain</c>.</summary>
    public Dictionary<string, string> Names { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
