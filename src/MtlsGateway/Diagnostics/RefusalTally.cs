namespace MtlsGateway.Diagnostics;

/// <summary>Repeats of one source's refusal since the last summary. Mutated only under the throttle's lock.</summary>
internal sealed class RefusalTally(RefusalStage stage, RefusalDetails first)
{
    public RefusalStage Stage { get; } = stage;

    /// <summary>The refusal logged in full; the summary repeats its fields.</summary>
    public RefusalDetails First { get; set; } = first;

    public long Count { get; set; }

    /// <summary>For a per-IP source (<see cref="RefusalSource.AnyCertificate"/>): certificates from the IP logged in full.</summary>
    public int Certificates { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public void Add(DateTimeOffset at)
    {
        if (Count == 0)
        {
            FirstSeen = at;
        }

        Count++;
        LastSeen = at;
    }
}
