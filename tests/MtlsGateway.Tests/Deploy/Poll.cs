namespace MtlsGateway.Tests.Deploy;

/// <summary>Bounded polling of something another process decides (readiness, a balancer's view, a reload).</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for its result, and returns that result;
    /// <see cref="HttpRequestException"/> counts as "not yet". Throws <see cref="TimeoutException"/> with
    /// <paramref name="describe"/>(last result) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T?, string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        while (true)
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet, or gone for a moment.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"not within {timeout}: {describe(last)}");
            }

            await Task.Delay(Interval);
        }
    }
}
