using FsCheck;
using FsCheck.Fluent;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>
/// How long the property-based fuzzers run. The normal suite runs a bounded number of cases per property; a longer
/// run sets <c>FUZZ_RUNS</c> (cases per property) and, to replay a failure, <c>FUZZ_SEED</c> ("seed,gamma" as FsCheck
/// prints it). Every run is bounded in wall time too (<see cref="Within"/>), so a parser that loops forever fails
/// the test instead of hanging the suite.
/// </summary>
internal static class FuzzRuns
{
    public static int Runs(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_RUNS"), out var runs) && runs > 0 ? runs : normal;

    public static Config Config(int normal)
    {
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Runs(normal)).WithQuietOnSuccess(true);
        var seed = Environment.GetEnvironmentVariable("FUZZ_SEED")?.Split(',');
        return seed is [var s, var g] && ulong.TryParse(s, out var seedValue) && ulong.TryParse(g, out var gamma)
            ? config.WithReplay(new Replay(new Rnd(seedValue, gamma), null))
            : config;
    }

    /// <summary>Checks <paramref name="property"/> on another thread and fails if it has not finished in
    /// <paramref name="budget"/> (scaled with <c>FUZZ_RUNS</c>): a hang is a failure, not a stuck suite.</summary>
    public static void Within(TimeSpan budget, int normal, Property property)
    {
        var scaled = budget * Math.Max(1.0, Runs(normal) / (double)normal);
        var run = Task.Run(() => property.Check(Config(normal)));
        if (!run.Wait(scaled))
        {
            throw new TimeoutException($"the fuzz run did not finish within {scaled}: an input made the code under test hang");
        }

        run.GetAwaiter().GetResult();
    }

    /// <summary>Bytes, mostly small, sometimes up to <paramref name="max"/>.</summary>
    public static Gen<byte[]> Bytes(int max) =>
        Gen.Sized(size => Gen.Choose(0, Math.Min(max, 16 + (size * max / 100))))
            .SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length));

    /// <summary>Cut points splitting a buffer of <paramref name="length"/> bytes into segments (sorted, distinct).</summary>
    public static Gen<int[]> Cuts(int length) =>
        length < 2
            ? Gen.Constant(Array.Empty<int>())
            : Gen.ListOf(Gen.Choose(1, length - 1)).Select(cuts => cuts.Distinct().Order().ToArray());

    /// <summary>Allocation on this thread while <paramref name="action"/> runs (deterministic, unlike timing).</summary>
    public static long Allocated(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
