using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Ops;

/// <summary>
/// What the registry knows of one partner certificate under one policy. The identity is copied once, capped like a
/// refusal's fields; the counters are updated without locks from every request; only a new remote IP takes this
/// record's own lock (once per connection, never a lock shared between partners).
/// </summary>
public sealed class PartnerRecord
{
    /// <summary>Remote IPs kept per partner: the most recent ones.</summary>
    public const int RemoteIpsKept = 8;

    private readonly Lock _ipLock = new();
    private readonly List<string> _remoteIps = new(RemoteIpsKept);
    private long _lastSeenTicks;
    private long _requests;
    private long _connections;
    private bool _evicted;

    internal PartnerRecord(CertificateIdentity identity, string policy, string partner, DateTimeOffset now)
    {
        Subject = RefusalFieldCaps.Truncate(identity.Subject)!;
        Issuer = RefusalFieldCaps.Truncate(identity.Issuer)!;
        Serial = RefusalFieldCaps.Truncate(identity.SerialNumber)!;
        Sha256 = identity.Sha256;
        SpiffeId = identity.Uris.FirstOrDefault(u => u.StartsWith("spiffe://", StringComparison.OrdinalIgnoreCase)) is { } spiffe
            ? RefusalFieldCaps.Truncate(spiffe) : null;
        DnsNames = RefusalFieldCaps.List(identity.DnsNames, ", ");
        Uris = RefusalFieldCaps.List(identity.Uris, ", ");
        NotBefore = identity.NotBefore;
        NotAfter = identity.NotAfter;
        Policy = policy;
        Partner = partner;
        FirstSeen = now;
        _lastSeenTicks = now.UtcTicks;
    }

    public string Subject { get; }

    public string Issuer { get; }

    public string Serial { get; }

    public string Sha256 { get; }

    public string? SpiffeId { get; }

    public string? DnsNames { get; }

    public string? Uris { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public string Policy { get; }

    /// <summary>The partner of the policy that admitted the certificate (today the policy's name).</summary>
    public string Partner { get; }

    public DateTimeOffset FirstSeen { get; }

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    public long Requests => Interlocked.Read(ref _requests);

    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>The most recent remote IPs, newest first.</summary>
    public IReadOnlyList<string> RemoteIps
    {
        get
        {
            lock (_ipLock)
            {
                return [.. Enumerable.Reverse(_remoteIps)];
            }
        }
    }

    internal void Connected(string? remoteIp)
    {
        Interlocked.Increment(ref _connections);
        if (remoteIp is null)
        {
            return;
        }

        lock (_ipLock)
        {
            if (_remoteIps.Count > 0 && _remoteIps[^1] == remoteIp)
            {
                return;
            }

            _remoteIps.Remove(remoteIp);
            if (_remoteIps.Count == RemoteIpsKept)
            {
                _remoteIps.RemoveAt(0);
            }

            _remoteIps.Add(remoteIp);
        }
    }

    internal void Requested(DateTimeOffset now)
    {
        Interlocked.Increment(ref _requests);
        // Last writer wins: concurrent requests of one partner are within microseconds of each other.
        Interlocked.Exchange(ref _lastSeenTicks, now.UtcTicks);
    }

    /// <summary>Set once the registry dropped this record: a connection holding it looks its partner up again.</summary>
    internal bool Evicted
    {
        get => Volatile.Read(ref _evicted);
        set => Volatile.Write(ref _evicted, value);
    }
}
