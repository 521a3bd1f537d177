using System.Net.Security;
using Microsoft.Extensions.Configuration;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Upstreams;

/// <summary>
/// Loads <c>Gateway:Upstreams</c>: checks each entry against YARP's clusters and the trust stores, and loads the
/// client certificate and key it names, every problem reported at its JSON path.
/// </summary>
internal static class UpstreamTlsLoader
{
    public static Dictionary<string, UpstreamTls> Load(
        IConfiguration configuration,
        GatewayOptions options,
        IReadOnlyDictionary<string, TrustStore> trustStores,
        string baseDirectory,
        ICollection<ConfigError> errors,
        ICollection<KeyFileExposure>? exposures = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trustStores);
        ArgumentNullException.ThrowIfNull(errors);
        var upstreams = new Dictionary<string, UpstreamTls>(StringComparer.OrdinalIgnoreCase);
        var clusters = configuration.GetSection("ReverseProxy:Clusters").GetChildren().ToDictionary(c => c.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var (clusterId, upstream) in options.Upstreams)
        {
            var path = $"Gateway:Upstreams:{clusterId}";
            if (!clusters.TryGetValue(clusterId, out var cluster))
            {
                errors.Add(new ConfigError(path, $"'{clusterId}' is not a cluster in ReverseProxy:Clusters; known: {ConfigError.Known(clusters.Keys)}"));
            }
            else
            {
                CheckDestinationsUseTls(cluster, path, errors);
            }

            TrustStore? store = null;
            if (upstream.TrustStore is { } storeName && !trustStores.TryGetValue(storeName, out store) && !options.TrustStores.ContainsKey(storeName))
            {
                errors.Add(new ConfigError($"{path}:TrustStore", $"'{storeName}' is not a trust store; known: {ConfigError.Known(options.TrustStores.Keys)}"));
            }

            var certificate = upstream.ClientCertificate is { } files
                ? LoadClientCertificate(files, baseDirectory, $"{path}:ClientCertificate", errors, exposures)
                : null;
            upstreams[clusterId] = new UpstreamTls(clusterId, certificate, store);
        }

        return upstreams;
    }

    private static SslStreamCertificateContext? LoadClientCertificate(
        ClientCertificateFileOptions files, string baseDirectory, string path, ICollection<ConfigError> errors, ICollection<KeyFileExposure>? exposures)
    {
        var certFile = ConfigFiles.RequireFile(baseDirectory, files.CertificateFile, $"{path}:CertificateFile", errors);
        var keyFile = ConfigFiles.RequireFile(baseDirectory, files.KeyFile, $"{path}:KeyFile", errors);
        if (certFile is null || keyFile is null)
        {
            return null;
        }

        var certificate = KeyPairFiles.Load(certFile, keyFile, path, errors, out var chain);
        KeyPairFiles.CheckKeyMode(keyFile, $"{path}:KeyFile", exposures);
        if (certificate is not null && !CertificateFacts.AllowsExtendedUsage(certificate, Oids.ClientAuth))
        {
            errors.Add(new ConfigError($"{path}:CertificateFile",
                $"'{files.CertificateFile}' ({CertificateFacts.Name(certificate)}) has no clientAuth extended key usage, so backends will refuse it; issue the gateway a client certificate"));
            return null;
        }

        // Built once per load: the chain is resolved now, never per backend connection.
        return certificate is null ? null : SslStreamCertificateContext.Create(certificate, chain, offline: true);
    }

    /// <summary>Upstream TLS settings do nothing for http:// destinations; say so rather than let ops believe the hop is protected.</summary>
    private static void CheckDestinationsUseTls(IConfigurationSection cluster, string path, ICollection<ConfigError> errors)
    {
        foreach (var destination in cluster.GetSection("Destinations").GetChildren())
        {
            var address = destination["Address"];
            if (address is not null && address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError(path,
                    $"cluster '{cluster.Key}' destination '{destination.Key}' is '{address}', plain HTTP, so no TLS settings apply to it; use https:// or remove this entry"));
            }
        }
    }
}
