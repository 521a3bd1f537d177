namespace MtlsGateway.Configuration;

/// <summary>TLS to a YARP cluster's backends, keyed by ClusterId.</summary>
public sealed class UpstreamOptions
{
    public ClientCertificateFileOptions? ClientCertificate { get; set; }

    /// <summary>Trust store that verifies the backends' server certificates; the OS store when unset.</summary>
    public string? TrustStore { get; set; }
}

/// <summary>A certificate and key file pair.</summary>
public sealed class ClientCertificateFileOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }
}
