using System.Net.Security;

namespace MtlsGateway.Tests.Hardening;

/// <summary>Many completed TLS connections held open and idle (as a flood of idle clients holds them), opened with
/// bounded concurrency and a bounded total time, closed together.</summary>
internal sealed class HeldConnections : IAsyncDisposable
{
    private readonly List<SslStream> _streams = [];

    public int Count => _streams.Count;

    public static async Task<HeldConnections> OpenAsync(int port, string sni, int count, TimeSpan limit, SslStreamCertificateContext? certificate = null)
    {
        var held = new HeldConnections();
        using var deadline = new CancellationTokenSource(limit);
        using var slots = new SemaphoreSlim(32);
        var opening = Enumerable.Range(0, count).Select(async _ =>
        {
            await slots.WaitAsync(deadline.Token);
            try
            {
                var stream = await SlowClient.ConnectTlsAsync(port, sni, certificate).WaitAsync(deadline.Token);
                lock (held._streams)
                {
                    held._streams.Add(stream);
                }
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(opening);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }

        return held;
    }

    /// <summary>Closes the first <paramref name="count"/> connections.</summary>
    public async Task CloseAsync(int count)
    {
        foreach (var stream in _streams.Take(count).ToList())
        {
            await stream.DisposeAsync();
            _streams.Remove(stream);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams)
        {
            await stream.DisposeAsync();
        }

        _streams.Clear();
    }
}
