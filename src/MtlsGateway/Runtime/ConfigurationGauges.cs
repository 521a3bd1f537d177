using System.Diagnostics;
using System.Diagnostics.Metrics;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Runtime;

/// <summary>
/// The gauges of the gateway's meter (<see cref="GatewayMetrics"/>) that read the configuration in force at each
/// scrape, so they follow a reload: its version, the watcher's health, certificate and CRL expiry.
/// </summary>
public sealed class ConfigurationGauges
{
    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly FetchedCrls? _fetched;

    public ConfigurationGauges(GatewayMetrics metrics, GatewayState state, TimeProvider time, FetchedCrls? fetched = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _state = state;
        _time = time;
        _fetched = fetched;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("mtls_gateway.config.watch_failing", () => _state.WatcherFault is null ? 0 : 1,
            description: "1 while the configuration watcher is failing (then /readyz answers 503), else 0.");
        meter.CreateObservableGauge("mtls_gateway.config.version", () => _state.IsLoaded ? _state.Current.Version : 0,
            description: "Version of the configuration in force (1 at start, +1 per applied reload).");
        meter.CreateObservableGauge("mtls_gateway.certificate.expires_in", ObserveCertificates, unit: "s",
            description: "Seconds until each server certificate and trust-store CA expires (negative: expired).");
        meter.CreateObservableGauge("mtls_gateway.crl.next_update_in", ObserveCrlsRelative, unit: "s",
            description: "Seconds until each CRL's nextUpdate (negative: stale), from CrlFiles (source file) or fetched (source url).");
        meter.CreateObservableGauge("mtls_gateway.crl.next_update_timestamp", ObserveCrlsAbsolute, unit: "s",
            description: "Each CRL's nextUpdate as Unix time, from CrlFiles (source file) or fetched (source url).");
    }

    private IEnumerable<Measurement<double>> ObserveCertificates()
    {
        if (!_state.IsLoaded)
        {
            yield break;
        }

        var snapshot = _state.Current;
        var now = _time.GetUtcNow();
        foreach (var server in snapshot.ServerCertificates)
        {
            yield return new Measurement<double>((server.NotAfter - now).TotalSeconds, new TagList
            {
                { "kind", "server" },
                { "subject", CertificateFacts.Name(server.Certificate) },
                { "sha256", Fingerprints.Sha256(server.Certificate) },
                { "trust_store", string.Empty },
            });
        }

        foreach (var store in snapshot.TrustStores.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var bundled = store.Spiffe?.Authorities.ToHashSet() ?? [];
            foreach (var ca in store.Roots.Concat(store.Intermediates).Concat(bundled))
            {
                yield return new Measurement<double>((CertificateFacts.NotAfter(ca) - now).TotalSeconds, new TagList
                {
                    { "kind", bundled.Contains(ca) ? "spiffe" : store.Roots.Contains(ca) ? "root" : "intermediate" },
                    { "subject", CertificateFacts.Name(ca) },
                    { "sha256", Fingerprints.Sha256(ca) },
                    { "trust_store", store.Name },
                });
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveCrlsRelative() => ObserveCrls(relative: true);

    private IEnumerable<Measurement<double>> ObserveCrlsAbsolute() => ObserveCrls(relative: false);

    private IEnumerable<Measurement<double>> ObserveCrls(bool relative)
    {
        if (!_state.IsLoaded)
        {
            yield break;
        }

        var now = _time.GetUtcNow();
        foreach (var store in _state.Current.TrustStores.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var crl in store.Crls)
            {
                if (crl.NextUpdate is not { } next)
                {
                    continue;
                }

                yield return new Measurement<double>(relative ? (next - now).TotalSeconds : next.ToUnixTimeSeconds(), new TagList
                {
                    { "trust_store", store.Name },
                    { "issuer", crl.Issuer.Name },
                    { "source", "file" },
                });
            }
        }

        // One series per issuer: of the lists its distribution points gave, the one that lasts longest.
        var fetched = (_fetched?.Points ?? [])
            .Where(p => p.State.Crl?.NextUpdate is not null)
            .GroupBy(p => (p.TrustStore, Issuer: p.State.Crl!.Issuer.Name))
            .OrderBy(g => g.Key.TrustStore, StringComparer.Ordinal).ThenBy(g => g.Key.Issuer, StringComparer.Ordinal);
        foreach (var issuer in fetched)
        {
            var next = issuer.Max(p => p.State.Crl!.NextUpdate!.Value);
            yield return new Measurement<double>(relative ? (next - now).TotalSeconds : next.ToUnixTimeSeconds(), new TagList
            {
                { "trust_store", issuer.Key.TrustStore },
                { "issuer", issuer.Key.Issuer },
                { "source", "url" },
            });
        }
    }
}
