using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity;

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

            var certificate = KeyPairFiles.Load(certFile, keyFile, path, errors, out var chain);
            KeyPairFiles.CheckKeyMode(keyFile, $"{path}:KeyFile", exposures);
            if (certificate is not null)
            {
                loaded.Add(new ServerCertificate(hosts, certificate, chain, entry.Default, certFile));
            }
        }

        CheckDuplicates(loaded, errors);
        return loaded;
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
