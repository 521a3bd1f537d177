namespace MtlsGateway.Configuration;

/// <summary>A server certificate (PEM, leaf first, then its chain) and key served for a set of SNI host names.</summary>
public sealed class ServerCertificateOptions
{
    /// <summary>Exact names or <c>*.example.test</c> wildcards (one label).</summary>
    public List<string> Hosts { get; set; } = [];

    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Served when the client sends no SNI or one that matches no other certificate.</summary>
    public bool Default { get; set; }
}
