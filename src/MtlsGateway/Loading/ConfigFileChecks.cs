using MtlsGateway.Configuration;

namespace MtlsGateway.Loading;

/// <summary>
/// Checks every file path the <c>Gateway</c> section names before any loader opens one: .NET's file APIs throw on a
/// NUL character (found by fuzzing the loader, where it escaped as an exception). What a path may point at (a
/// regular file within its size cap, never a FIFO or <c>/dev/zero</c>) is <see cref="SafeFile"/>'s to check as it reads.
/// </summary>
internal static class ConfigFileChecks
{
    public static List<ConfigError> Unusable(GatewayOptions options)
    {
        var errors = new List<ConfigError>();
        foreach (var (path, value) in NamedPaths(options))
        {
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(path, "contains a NUL character, which no file path can hold; check how the value was generated"));
            }
        }

        return errors;
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

            foreach (var (trustDomain, file) in store.SpiffeBundles)
            {
                yield return ($"Gateway:TrustStores:{name}:SpiffeBundles:{trustDomain}", file);
            }
        }

        foreach (var (cluster, upstream) in options.Upstreams)
        {
            yield return ($"Gateway:Upstreams:{cluster}:ClientCertificate:CertificateFile", upstream.ClientCertificate?.CertificateFile);
            yield return ($"Gateway:Upstreams:{cluster}:ClientCertificate:KeyFile", upstream.ClientCertificate?.KeyFile);
        }
    }
}
