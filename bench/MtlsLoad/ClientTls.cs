using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtlsLoad;

/// <summary>
/// The client side of every connection: the client certificate (leaf + the intermediates in the same PEM, sent with
/// it) as one <see cref="SslStreamCertificateContext"/> built once. The server certificate is checked by pinning the
/// one the proxy under test presented first, not by building a chain: chain building would cost the load generator's
/// core as much as the proxy's and the benchmark is about the server's verification of the client.
/// </summary>
internal sealed class ClientTls
{
    private byte[]? _pinnedServerCertificate;

    public ClientTls(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var leaf = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(options.CertificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                intermediates.Add(certificate);
            }
        }

        CertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        ServerName = options.ServerName;
    }

    public SslStreamCertificateContext CertificateContext { get; }

    public string ServerName { get; }

    /// <summary>Options for one kind of connection; reuse the returned object (the TLS resumption cache is keyed on it).</summary>
    public SslClientAuthenticationOptions Create(bool allowResume, params SslApplicationProtocol[] protocols) => new()
    {
        TargetHost = ServerName,
        ClientCertificateContext = CertificateContext,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = [.. protocols],
        AllowTlsResume = allowResume,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = ValidateServer,
    };

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        var raw = certificate.GetRawCertData();
        var pinned = Interlocked.CompareExchange(ref _pinnedServerCertificate, raw, null) ?? raw;
        return pinned.AsSpan().SequenceEqual(raw);
    }
}
