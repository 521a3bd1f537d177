namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>Why a connection was refused before TLS (the <c>Reason</c> of <c>ProxyProtocolRefused</c>).</summary>
public enum ProxyProtocolRefusal
{
    /// <summary>The TCP peer is not in <c>TrustedNetworks</c> (Required mode), or sent a header without being trusted.</summary>
    UntrustedSource,

    /// <summary>Required mode, and the connection did not start with a header.</summary>
    MissingHeader,

    /// <summary>A header signature followed by bytes that are not a valid header.</summary>
    InvalidHeader,

    /// <summary>The header was not complete within the listener's HandshakeTimeout.</summary>
    HeaderTimeout,
}
