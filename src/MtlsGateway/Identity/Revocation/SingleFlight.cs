namespace MtlsGateway.Identity.Revocation;

/// <summary>At most one fetch in flight per revocation source (a CRL distribution point, an OCSP entry): a caller
/// that arrives while one runs waits for that one rather than starting a second request to the same server.</summary>
internal sealed class SingleFlight
{
    // Guards _running only; never held while waiting.
    private readonly Lock _gate = new();
    private Task? _running;

    public bool IsRunning => _running is { IsCompleted: false };

    /// <summary>The fetch in flight, or <paramref name="fetch"/> started on the thread pool if there is none.</summary>
    public Task Join(Func<Task> fetch)
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false } running)
            {
                return running;
            }

            _running = Task.Run(fetch);
            return _running;
        }
    }
}
