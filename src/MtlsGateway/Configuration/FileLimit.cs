namespace MtlsGateway.Configuration;

/// <summary>How large a file of one kind may be (docs/configuration.md lists the caps), and what to say when it is larger.</summary>
public readonly record struct FileLimit(long MaxBytes, string Name, string Advice)
{
    public static FileLimit Config { get; } = new(16L * 1024 * 1024, "the cap for the config file",
        "name the gateway's JSON config file itself");

    /// <summary>A certificate (a leaf with its chain) or a private key.</summary>
    public static FileLimit Certificate { get; } = new(1024L * 1024, "the cap for a certificate or key file",
        "name the PEM file itself, not a bundle, an archive or a device");

    /// <summary>A CA file: a bundle may hold hundreds of CAs.</summary>
    public static FileLimit Ca { get; } = new(4L * 1024 * 1024, "the cap for a CA file",
        "name only the CAs that issue your clients' certificates, or split the bundle into a folder of files");

    /// <summary>A SPIFFE trust bundle (JWK Set): a trust domain's few CAs and JWT keys.</summary>
    public static FileLimit SpiffeBundle { get; } = new(1024L * 1024, "the cap for a SPIFFE bundle file",
        "name the trust domain's bundle itself (a JWK Set of its CAs), not a folder or an archive");

    /// <summary>Default of <c>Gateway:TrustStores:&lt;name&gt;:MaxCrlSize</c>.</summary>
    public const long DefaultMaxCrlBytes = 64L * 1024 * 1024;

    /// <summary>A CRL of the trust store at <paramref name="storePath"/> (<c>Gateway:TrustStores:&lt;name&gt;</c>).</summary>
    public static FileLimit Crl(long maxBytes, string storePath) => new(maxBytes, "MaxCrlSize",
        $"raise {storePath}:MaxCrlSize if the CA's CRLs really are that large");

    /// <summary>"1 MiB", "64 MiB", or the byte count when not a whole number of MiB.</summary>
    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";

    public string TooLarge => $"is larger than {Describe(MaxBytes)} ({Name}); {Advice}";
}
