using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;

namespace MtlsGateway.Tls;

/// <summary>Loads <c>Gateway:ServerCertificates</c>: PEM certificate (leaf, then chain) and key files.</summary>
public static class ServerCertificateLoader
{
    public static IReadOnlyList<ServerCertificate> Load(
        IReadOnlyList<ServerCertificateOptions> entries, string baseDirectory, ICollection<ConfigError> errors, ICollection<KeyFileExposure>? exposures = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(errors);
        var loaded = new List<ServerCertificate>();
        for (var i = 0; i < entries.Count; i++)
        {
            var path = $"Gateway:ServerCertificates:{i}";
            var entry = entries[i];
            var hosts = new List<HostPattern>();
            for (var h = 0; h < entry.Hosts.Count; h++)
            {
                if (HostPattern.TryParse(entry.Hosts[h], out var pattern))
                {
                    hosts.Add(pattern!);
                }
                else
                {
                    errors.Add(new ConfigError($"{path}:Hosts:{h}", $"'{entry.Hosts[h]}' is not a host name or a '*.example.com' wildcard"));
                }
            }

            if (entry.Hosts.Count == 0 && !entry.Default)
            {
                errors.Add(new ConfigError($"{path}:Hosts", "lists no host names; add the SNI names this certificate serves, or set Default to true"));
            }

            var certFile = ConfigFiles.RequireFile(baseDirectory, entry.CertificateFile, $"{path}:CertificateFile", errors);
            var keyFile = ConfigFiles.RequireFile(baseDirectory, entry.KeyFile, $"{path}:KeyFile", errors);
            if (certFile is null || keyFile is null)
            {
                continue;
            }

            var certificate = LoadWithKey(certFile, keyFile, path, errors, out var chain);
            CheckKeyFileMode(keyFile, $"{path}:KeyFile", exposures);
            if (certificate is not null)
            {
                loaded.Add(new ServerCertificate(hosts, certificate, chain, entry.Default, certFile));
            }
        }

        CheckDuplicates(loaded, errors);
        return loaded;
    }

    /// <summary>Loads a certificate file (leaf first, then any chain) and its private key.</summary>
    public static X509Certificate2? LoadWithKey(string certFile, string keyFile, string path, ICollection<ConfigError> errors, out X509Certificate2Collection chain)
    {
        ArgumentNullException.ThrowIfNull(errors);
        chain = [];
        var certPem = ConfigFiles.ReadPem(certFile, certFile, FileLimit.Certificate, $"{path}:CertificateFile", errors);
        var keyPem = ConfigFiles.ReadPem(keyFile, keyFile, FileLimit.Certificate, $"{path}:KeyFile", errors);
        if (certPem is null || keyPem is null)
        {
            return null;
        }

        try
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPem(certPem);
            if (all.Count == 0)
            {
                errors.Add(new ConfigError($"{path}:CertificateFile", $"'{certFile}' holds no PEM certificate ('-----BEGIN CERTIFICATE-----')"));
                return null;
            }

            for (var i = 1; i < all.Count; i++)
            {
                chain.Add(all[i]);
            }

            var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);
            if (!withKey.HasPrivateKey)
            {
                errors.Add(new ConfigError($"{path}:KeyFile", $"'{keyFile}' holds no private key"));
                return null;
            }

            return withKey;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            var why = ex is ArgumentException or CryptographicException && ex.Message.Contains("public key", StringComparison.OrdinalIgnoreCase)
                ? $"the key in '{keyFile}' does not belong to the certificate in '{certFile}'; use the key the certificate was issued for"
                : $"cannot load '{certFile}' with key '{keyFile}': {ex.Message}";
            errors.Add(new ConfigError($"{path}:KeyFile", why));
            return null;
        }
    }

    /// <summary>
    /// Notes a key file that users other than the file's owner and group can read. Group read is left alone: it is
    /// how a non-root gateway reads a Kubernetes Secret mounted with <c>defaultMode: 0440</c> and <c>fsGroup</c>.
    /// </summary>
    public static void CheckKeyFileMode(string keyFile, string path, ICollection<KeyFileExposure>? exposures)
    {
        if (exposures is null || OperatingSystem.IsWindows() || !File.Exists(keyFile))
        {
            return;
        }

        try
        {
            var mode = File.GetUnixFileMode(keyFile);
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                exposures.Add(new KeyFileExposure(path, keyFile, Convert.ToString((int)mode & 0x1FF, 8)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable metadata: loading the key reports the real problem.
        }
    }

    private static void CheckDuplicates(List<ServerCertificate> loaded, ICollection<ConfigError> errors)
    {
        var defaults = loaded.Count(c => c.IsDefault);
        if (defaults > 1)
        {
            errors.Add(new ConfigError("Gateway:ServerCertificates", $"{defaults} certificates have Default set; at most one may be the default"));
        }

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var certificate in loaded)
        {
            foreach (var host in certificate.Hosts)
            {
                if (!seen.TryAdd(host.Pattern, certificate.CertificateFile))
                {
                    errors.Add(new ConfigError("Gateway:ServerCertificates", $"host '{host}' is served by both '{seen[host.Pattern]}' and '{certificate.CertificateFile}'; list each host once"));
                }
            }
        }
    }
}
