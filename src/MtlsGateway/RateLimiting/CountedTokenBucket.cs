using System.Threading.RateLimiting;

namespace MtlsGateway.RateLimiting;

/// <summary>
/// A token bucket that says when it is gone: the framework's partitioned limiter disposes a bucket that has been full
/// (idle) for a while, and <see cref="GatewayRateLimits"/> counts the live ones to bound them. Everything else is the
/// framework's <see cref="TokenBucketRateLimiter"/>, replenished by the partitioned limiter's own timer.
/// </summary>
internal sealed class CountedTokenBucket(TokenBucketRateLimiter inner, Action disposed) : ReplenishingRateLimiter
{
    private int _disposed;

    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public override bool IsAutoReplenishing => inner.IsAutoReplenishing;

    public override TimeSpan ReplenishmentPeriod => inner.ReplenishmentPeriod;

    public override bool TryReplenish() => inner.TryReplenish();

    public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        inner.AcquireAsync(permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            disposed();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            disposed();
        }

        await base.DisposeAsyncCore().ConfigureAwait(false);
    }
}
