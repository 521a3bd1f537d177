using System.Diagnostics;

namespace MtlsLoad;

/// <summary>One worker's counts and latencies (microseconds); never shared, merged at the end.</summary>
internal sealed class WorkerStats
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    public List<int> LatenciesMicroseconds { get; } = new(4096);

    public long Completed { get; set; }

    public long Errors { get; set; }

    public long Non2xx { get; set; }

    public long BodyBytes { get; set; }

    /// <summary>Connections on which the client's certificate was not reported as sent: .NET 10 reports a resumed
    /// mTLS session that way (dotnet/runtime#123238), so with --resume this counts resumed handshakes.</summary>
    public long WithoutLocalCertificate { get; set; }

    public string? LastError { get; set; }

    public void Record(long startTimestamp, long endTimestamp, Http1Response response)
    {
        LatenciesMicroseconds.Add((int)Math.Min(int.MaxValue, (endTimestamp - startTimestamp) / TicksPerMicrosecond));
        Completed++;
        BodyBytes += response.BodyBytes;
        if (response.Status is < 200 or > 299)
        {
            Non2xx++;
        }
    }

    public void RecordError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Errors++;
        LastError = exception.GetBaseException().Message;
    }

    /// <summary>A failed request or connection: counted when inside the window, then a short pause so a refusing
    /// server does not turn the loop into a busy spin.</summary>
    public Task FailedAsync(MeasurementWindow window, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Measuring)
        {
            RecordError(exception);
        }

        return Task.Delay(10, CancellationToken.None);
    }
}
