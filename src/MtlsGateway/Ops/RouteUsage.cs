using System.Collections.Concurrent;

namespace MtlsGateway.Ops;

/// <summary>
/// The Strict migration report of one Permissive route: requests per UTC day (kept for up to a year, summed over the
/// retention window) and how many of them came without a verified certificate, and who sent those (bounded, least
/// recent dropped). Lock-free on the request path.
/// </summary>
public sealed class RouteUsage
{
    /// <summary>Callers without a verified certificate kept per route.</summary>
    public const int CallersKept = 100;

    private const int Days = 367;

    private readonly DayCount?[] _days = new DayCount?[Days];
    private readonly ConcurrentDictionary<(string RemoteIp, string? Sha256), UnverifiedCaller> _callers = new();
    private readonly Lock _trimLock = new();

    /// <summary>Requests and unverified requests since <paramref name="since"/>.</summary>
    public (long Requests, long Unverified) Since(DateTimeOffset since)
    {
        var first = DayOf(since);
        long requests = 0, unverified = 0;
        foreach (var day in _days)
        {
            if (day is not null && day.Day >= first)
            {
                requests += Interlocked.Read(ref day.Requests);
                unverified += Interlocked.Read(ref day.Unverified);
            }
        }

        return (requests, unverified);
    }

    /// <summary>Who still arrives without a verified certificate, seen since <paramref name="since"/>, most requests first.</summary>
    public IReadOnlyList<UnverifiedCaller> Callers(DateTimeOffset since) =>
        [.. _callers.Values.Where(c => c.LastSeen >= since).OrderByDescending(c => c.Requests)];

    internal void Verified(DateTimeOffset now) => Interlocked.Increment(ref Today(now).Requests);

    internal void Unverified(DateTimeOffset now, string remoteIp, string? subject, string? sha256, string verified, string? failure)
    {
        var day = Today(now);
        Interlocked.Increment(ref day.Requests);
        Interlocked.Increment(ref day.Unverified);
        var key = (remoteIp, sha256);
        if (!_callers.TryGetValue(key, out var caller))
        {
            caller = _callers.GetOrAdd(key, new UnverifiedCaller(remoteIp, subject, sha256, verified, failure, now));
            if (_callers.Count > CallersKept)
            {
                lock (_trimLock)
                {
                    foreach (var stale in _callers.OrderBy(c => c.Value.LastSeen).Take(_callers.Count - CallersKept).ToList())
                    {
                        _callers.TryRemove(stale);
                    }
                }
            }
        }

        caller.Requested(now);
    }

    private DayCount Today(DateTimeOffset now)
    {
        var number = DayOf(now);
        var slot = (int)(number % Days);
        var day = Volatile.Read(ref _days[slot]);
        if (day is not null && day.Day == number)
        {
            return day;
        }

        // A new day takes over the slot of the day a year ago; racing requests agree on one winner.
        var fresh = new DayCount(number);
        return Interlocked.CompareExchange(ref _days[slot], fresh, day) is var seen && ReferenceEquals(seen, day) ? fresh : seen!;
    }

    private static long DayOf(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerDay;

    private sealed class DayCount(long day)
    {
        public readonly long Day = day;
        public long Requests;
        public long Unverified;
    }
}
