using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;

namespace MtlsGateway.Tls;

/// <summary>
/// Chooses the <see cref="TlsPlan"/> for a ClientHello's SNI within one configuration snapshot. Server
/// certificate lookup follows Kestrel's SniOptionsSelector: exact name, then the one-label wildcard, then
/// the default. Plans are built once per name and reused (no per-handshake allocation of options).
/// </summary>
public sealed class TlsPlanSelector
{
    private const int MaxCachedPlans = 4096;
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    // SslStream builds a chain for every client certificate before the validation callback runs, with this policy
    // (cloned per connection) or else a default one that downloads a missing issuer from the URL the certificate
    // itself names: any client could make the gateway connect where it likes and hold a thread for the fetch. The
    // callback verifies the certificate against the trust stores itself, so SslStream's chain only has to be offline.
    // A new instance per plan: the options are reachable from every connection, and a shared mutable static is not.
    private static X509ChainPolicy OfflineChainPolicy() => new()
    {
        DisableCertificateDownloads = true,
        RevocationMode = X509RevocationMode.NoCheck,
        TrustMode = X509ChainTrustMode.CustomRootTrust,
    };

    private readonly GatewaySnapshot _snapshot;
    private readonly ConcurrentDictionary<string, TlsPlan> _plans = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _contexts = new(StringComparer.Ordinal);
    private readonly RemoteCertificateValidationCallback _validate;
    private TlsPlan? _noSniPlan;

    /// <param name="snapshot">The configuration the plans follow.</param>
    /// <param name="validate">Decides each client certificate (the handshake handler's callback).</param>
    public TlsPlanSelector(GatewaySnapshot snapshot, RemoteCertificateValidationCallback validate)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(validate);
        _snapshot = snapshot;
        _validate = validate;
    }

    /// <summary>The plan for <paramref name="sni"/>, or null when no certificate serves it and there is no default.</summary>
    public TlsPlan? Select(string? sni)
    {
        if (string.IsNullOrEmpty(sni))
        {
            return _noSniPlan ??= Build(null);
        }

        if (_plans.TryGetValue(sni, out var plan))
        {
            return plan;
        }

        plan = Build(sni);
        if (plan is not null && _plans.Count < MaxCachedPlans)
        {
            _plans.TryAdd(sni, plan);
        }

        return plan;
    }

    /// <summary>The server certificate for <paramref name="sni"/>: exact, wildcard, default.</summary>
    public ServerCertificate? FindServerCertificate(string? sni)
    {
        var certificates = _snapshot.ServerCertificates;
        if (!string.IsNullOrEmpty(sni))
        {
            var exact = certificates.FirstOrDefault(c => c.Hosts.Any(h => !h.IsWildcard && h.Matches(sni)));
            if (exact is not null)
            {
                return exact;
            }

            var wildcard = certificates.FirstOrDefault(c => c.Hosts.Any(h => h.IsWildcard && h.Matches(sni)));
            if (wildcard is not null)
            {
                return wildcard;
            }
        }

        return certificates.FirstOrDefault(c => c.IsDefault)
            // No SNI at all (a client connecting by IP address): serve the first certificate rather than fail.
            ?? (string.IsNullOrEmpty(sni) && certificates.Count > 0 ? certificates[0] : null);
    }

    private TlsPlan? Build(string? sni)
    {
        var server = FindServerCertificate(sni);
        if (server is null)
        {
            return null;
        }

        // Without SNI the request's Host is all we will know, so every route counts.
        var routes = _snapshot.Routes.Where(r => sni is null || r.MayServe(sni)).ToList();
        var policies = routes
            .Select(r => _snapshot.Policies.GetValueOrDefault(r.PolicyName))
            .OfType<GatewayPolicy>()
            .Distinct()
            .ToList();
        var requires = policies.Count > 0 && policies.All(p => p.Mode == PolicyMode.Strict);

        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = ContextFor(server, policies),
            ClientCertificateRequired = true, // always ask: a Permissive route still verifies a presented certificate
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Alpn,
            CertificateChainPolicy = OfflineChainPolicy(), // takes precedence over CertificateRevocationCheckMode
            AllowRenegotiation = false,
            RemoteCertificateValidationCallback = _validate,
        };
        return new TlsPlan(sni, server, requires, requires ? policies : [], options);
    }

    /// <summary>One certificate context per (server certificate, set of trust stores): it carries the chain we
    /// send and the acceptable CA names the CertificateRequest lists (every partner's store of every policy).</summary>
    private SslStreamCertificateContext ContextFor(ServerCertificate server, List<GatewayPolicy> policies)
    {
        var stores = policies.SelectMany(p => p.TrustStores).Distinct().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var key = $"{server.CertificateFile}|{string.Join(',', stores.Select(s => s.Name))}";
        return _contexts.GetOrAdd(key, _ =>
        {
            var cas = new X509Certificate2Collection();
            foreach (var store in stores)
            {
                cas.AddRange(store.AllCaCertificates);
            }

            var trust = cas.Count > 0 ? SslCertificateTrust.CreateForX509Collection(cas, sendTrustInHandshake: true) : null;
            return SslStreamCertificateContext.Create(server.Certificate, server.Chain, offline: true, trust);
        });
    }
}
