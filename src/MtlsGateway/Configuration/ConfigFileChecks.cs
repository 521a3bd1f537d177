namespace MtlsGateway.Configuration;

/// <summary>
/// Checks every file path the <c>Gateway</c> section names before any loader opens one. The loaders read files whole
/// and pass paths to APIs that throw on a NUL character; found by fuzzing the loader: a NUL in a path escaped as an
/// exception, and a key "file" that was <c>/dev/zero</c> was read until the process ran out of memory.
/// </summary>
internal static class ConfigFileChecks
{
    /// <summary>The largest file the configuration may name (certificates, keys, CA bundles, CRLs): 32 MiB.</summary>
    public const long MaxFileBytes = 32L * 1024 * 1024;

    public static List<ConfigError> Unusable(GatewayOptions options, string baseDirectory)
    {
        var errors = new List<ConfigError>();
        foreach (var (path, value) in NamedPaths(options))
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(path, "contains a NUL character, which no file path can hold; check how the value was generated"));
                continue;
            }

            var full = ConfigFiles.Resolve(baseDirectory, value);
            if (File.Exists(full) && !IsWithin(full, MaxFileBytes))
            {
                errors.Add(new ConfigError(path,
                    $"'{value}' is larger than {MaxFileBytes / (1024 * 1024)} MiB or is a device, not a certificate, key, CA or CRL file; name the PEM/DER file itself"));
            }
        }

        return errors;
    }

    /// <summary>True when the file holds at most <paramref name="limit"/> bytes; reads no further than that (a device
    /// reports length 0 and never ends).</summary>
    private static bool IsWithin(string file, long limit)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            if (stream.CanSeek && stream.Length > 0)
            {
                return stream.Length <= limit;
            }

            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                long total = 0;
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += read;
                    if (total > limit)
                    {
                        return false;
                    }
                }

                return true;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // the loader that reads it reports the real problem
        }
    }

    /// <summary>Every file path the <c>Gateway</c> section names, with its JSON path.</summary>
    private static IEnumerable<(string Path, string? Value)> NamedPaths(GatewayOptions options)
    {
        for (var i = 0; i < options.ServerCertificates.Count; i++)
        {
            yield return ($"Gateway:ServerCertificates:{i}:CertificateFile", options.ServerCertificates[i].CertificateFile);
            yield return ($"Gateway:ServerCertificates:{i}:KeyFile", options.ServerCertificates[i].KeyFile);
        }

        foreach (var (name, store) in options.TrustStores)
        {
            for (var i = 0; i < store.CaFiles.Count; i++)
            {
                yield return ($"Gateway:TrustStores:{name}:CaFiles:{i}", store.CaFiles[i]);
            }

            for (var i = 0; i < store.CrlFiles.Count; i++)
            {
                yield return ($"Gateway:TrustStores:{name}:CrlFiles:{i}", store.CrlFiles[i]);
            }
        }

        foreach (var (cluster, upstream) in options.Upstreams)
        {
            yield return ($"Gateway:Upstreams:{cluster}:ClientCertificate:CertificateFile", upstream.ClientCertificate?.CertificateFile);
            yield return ($"Gateway:Upstreams:{cluster}:ClientCertificate:KeyFile", upstream.ClientCertificate?.KeyFile);
        }
    }
}
