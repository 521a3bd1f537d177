using System.Diagnostics;

namespace MtlsLoad;

/// <summary>
/// Warm-up, then the measured interval, then stop. Workers run throughout and record only while
/// <see cref="Measuring"/>; the /proc samples are taken at the two edges of the interval.
/// </summary>
internal sealed class MeasurementWindow
{
    private const int WarmingUp = 0;
    private const int InWindow = 1;
    private const int Done = 2;
    private int _state;

    public bool Measuring => Volatile.Read(ref _state) == InWindow;

    public bool Stopped => Volatile.Read(ref _state) == Done;

    public long StartedTimestamp { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public ProcessProbe.Sample Before { get; private set; } = null!;

    public ProcessProbe.Sample After { get; private set; } = null!;

    /// <summary>Runs warm-up and measurement, then stops the workers.</summary>
    public async Task RunAsync(TimeSpan warmup, TimeSpan duration, ProcessProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (warmup > TimeSpan.Zero)
        {
            await Task.Delay(warmup);
        }

        Before = probe.Take();
        StartedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, InWindow);
        await Task.Delay(duration);
        Volatile.Write(ref _state, Done);
        Elapsed = Stopwatch.GetElapsedTime(StartedTimestamp);
        After = probe.Take();
    }

    public void Stop() => Volatile.Write(ref _state, Done);

    /// <summary>
    /// Runs <paramref name="count"/> closed-loop workers (each given its index, the window, its own stats and the abort
    /// token) through warm-up and measurement, then stops them, giving the ones in the middle of a request 5 s.
    /// </summary>
    public static async Task<(MeasurementWindow Window, WorkerStats[] Stats)> RunWorkersAsync(
        LoadOptions options, int count, Func<int, MeasurementWindow, WorkerStats, CancellationToken, Task> worker)
    {
        ArgumentNullException.ThrowIfNull(options);
        var window = new MeasurementWindow();
        using var abort = new CancellationTokenSource();
        var stats = Enumerable.Range(0, count).Select(_ => new WorkerStats()).ToArray();
        var workers = Enumerable.Range(0, count).Select(i => Task.Run(() => worker(i, window, stats[i], abort.Token))).ToArray();
        await window.RunAsync(options.Warmup, options.Duration, new ProcessProbe(options.Pids));
        window.Stop();
        abort.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Workers end by cancellation; their counts up to the window's end are what matters.
        }

        return (window, stats);
    }
}
