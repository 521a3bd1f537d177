using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;

namespace MtlsGateway.Ops;

/// <summary>
/// Every client certificate admitted in the last <c>Gateway:Diagnostics:PartnerRetention</c>, per certificate and
/// policy (GATEWAY.md, "Admin endpoint"): at most <c>MaxPartners</c>, the least recently seen dropped first. A
/// connection finds its record once, on its first admitted request under a policy; every request then costs two
/// interlocked writes on that record. No lock is shared between partners; the one lock here is taken only to drop
/// records beyond the cap, when a new partner arrives. Logs <c>ClientCertificateExpiring</c> at most once a day per
/// certificate, and exports each partner's expiry as <c>mtls_gateway_client_certificate_expiry_timestamp_seconds</c>.
/// </summary>
public sealed class PartnerRegistry : IHostedService, IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<PartnerKey, PartnerRecord> _records = new();
    private readonly ConcurrentDictionary<string, long> _warned = new(StringComparer.Ordinal);
    // Each connection's record, found on its first admitted request; weak: it goes with the connection.
    private readonly ConditionalWeakTable<GatewayConnection, PartnerSighting> _sightings = [];
    private readonly Lock _trimLock = new();
    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<PartnerRegistry> _logger;
    private ITimer? _timer;

    public PartnerRegistry(GatewayState state, TimeProvider time, GatewayMetrics metrics, ILogger<PartnerRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _state = state;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("mtls_gateway.client_certificate.expiry_timestamp", ObserveExpiry, unit: "s",
            description: "Each partner client certificate's notAfter as Unix time, for the partners of the status page (Gateway:Diagnostics).");
    }

    /// <summary>Partners held now (before the retention filter of <see cref="Partners"/>).</summary>
    public int Count => _records.Count;

    /// <summary>An admitted request with a verified certificate: finds the connection's record (once per connection
    /// and policy) and counts the request.</summary>
    public void Admitted(GatewayConnection connection, GatewayPolicy policy, string partner, PresentedCertificate certificate, string? remoteIp)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(certificate);
        if (Options.MaxPartners == 0)
        {
            // Turned off: nothing is recorded (a reload to 0 empties the list at the next sweep).
            return;
        }

        var now = _time.GetUtcNow();
        if (!_sightings.TryGetValue(connection, out var sighting) || !ReferenceEquals(sighting.Policy, policy) || sighting.Record.Evicted)
        {
            sighting = new PartnerSighting(policy, Track(certificate.Identity, policy, partner, remoteIp, now));
            _sightings.AddOrUpdate(connection, sighting);
        }

        sighting.Record.Requested(now);
    }

    /// <summary>The partners seen within the retention window, most recent first.</summary>
    public IReadOnlyList<PartnerRecord> Partners()
    {
        var since = _time.GetUtcNow() - Options.PartnerRetention;
        return [.. _records.Values.Where(r => r.LastSeen >= since).OrderByDescending(r => r.LastSeen)];
    }

    /// <summary>Drops partners beyond the retention window and beyond the cap, and forgets their expiry warnings.</summary>
    public void Sweep()
    {
        var since = _time.GetUtcNow() - Options.PartnerRetention;
        foreach (var (key, record) in _records)
        {
            if (record.LastSeen < since)
            {
                Remove(key, record);
            }
        }

        Trim();
        foreach (var sha256 in _warned.Keys)
        {
            if (!_records.Keys.Any(k => k.Sha256 == sha256))
            {
                _warned.TryRemove(sha256, out _);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = _time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private DiagnosticsOptions Options => _state.Current.Options.Diagnostics;

    private PartnerRecord Track(CertificateIdentity identity, GatewayPolicy policy, string partner, string? remoteIp, DateTimeOffset now)
    {
        var key = new PartnerKey(identity.Sha256, policy.Name);
        if (!_records.TryGetValue(key, out var record))
        {
            // A certificate belongs to one partner of a policy (the one whose store and allowlist admitted it).
            var created = new PartnerRecord(identity, policy.Name, partner, now);
            record = _records.GetOrAdd(key, created);
            if (ReferenceEquals(record, created) && _records.Count > Options.MaxPartners)
            {
                Trim();
            }
        }

        record.Connected(remoteIp);
        WarnIfExpiring(record, remoteIp, now);
        return record;
    }

    private void WarnIfExpiring(PartnerRecord record, string? remoteIp, DateTimeOffset now)
    {
        if (record.NotAfter - now > Options.ClientExpiryWarning)
        {
            return;
        }

        var warned = _warned.GetOrAdd(record.Sha256, DateTimeOffset.MinValue.UtcTicks);
        if (now.UtcTicks - warned < WarningInterval.Ticks || !_warned.TryUpdate(record.Sha256, now.UtcTicks, warned))
        {
            return;
        }

        _logger.ClientCertificateExpiring(record.Subject, record.Sha256, record.NotAfter, (int)Math.Floor((record.NotAfter - now).TotalDays),
            record.Policy, remoteIp);
    }

    /// <summary>Drops the least recently seen partners until the cap holds.</summary>
    private void Trim()
    {
        lock (_trimLock)
        {
            var excess = _records.Count - Options.MaxPartners;
            if (excess <= 0)
            {
                return;
            }

            foreach (var (key, record) in _records.OrderBy(r => r.Value.LastSeen).Take(excess).ToList())
            {
                Remove(key, record);
            }
        }
    }

    private void Remove(PartnerKey key, PartnerRecord record)
    {
        if (_records.TryRemove(new KeyValuePair<PartnerKey, PartnerRecord>(key, record)))
        {
            // A connection still holding it finds a fresh record on its next request.
            record.Evicted = true;
        }
    }

    private IEnumerable<Measurement<double>> ObserveExpiry()
    {
        if (!_state.IsLoaded)
        {
            yield break;
        }

        foreach (var record in Partners().OrderBy(r => r.Policy, StringComparer.Ordinal).ThenBy(r => r.Sha256, StringComparer.Ordinal))
        {
            yield return new Measurement<double>(record.NotAfter.ToUnixTimeSeconds(), new TagList
            {
                { "policy", record.Policy },
                { "subject", record.Subject },
                { "sha256", record.Sha256 },
            });
        }
    }
}
