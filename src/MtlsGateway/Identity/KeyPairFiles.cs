using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity;

/// <summary>
/// A PEM certificate file (leaf, then its chain) and the file of its private key, as the gateway presents them: its
/// server certificates (<see cref="ServerCertificateLoader"/>) and its client certificates to backends
/// (<c>Upstreams/UpstreamTlsLoader</c>).
/// </summary>
public static class KeyPairFiles
{
    /// <summary>Loads a certificate file (leaf first, then any chain) and its private key.</summary>
    public static X509Certificate2? Load(string certFile, string keyFile, string path, ICollection<ConfigError> errors, out X509Certificate2Collection chain)
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
    public static void CheckKeyMode(string keyFile, string path, ICollection<KeyFileExposure>? exposures)
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
}
