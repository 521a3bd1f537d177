
namespace MtlsGateway.Diagnostics;

/// <summary>
/// The last <see cref="Capacity"/> refusal events, fed by the same calls that log them (<see cref="RefusalReporter"/>
/// for each event logged in full, <see cref="RefusalThrottle"/> for each summary), so the page and the log agree:
/// a flood is one full row and then one summary row per interval. Refusals are not the hot path; a lock is fine.
/// </summary>
public sealed class RecentRefusals
{
    public const int Capacity = 200;

    private readonly Lock _lock = new();
    private readonly RecentRefusal?[] _ring = new RecentRefusal?[Capacity];
    private int _next;

    internal void Logged(RefusalStage stage, RefusalDetails details, DateTimeOffset at) =>
        Add(new RecentRefusal(stage.EventName(), details, 1, at, at, Summarised: false));

    internal void Summarised(RefusalSummary summary) =>
        Add(new RecentRefusal(summary.Stage.EventName(), summary.Details, summary.Count, summary.FirstSeen, summary.LastSeen, Summarised: true));

    /// <summary>Newest first.</summary>
    public IReadOnlyList<RecentRefusal> Snapshot()
    {
        lock (_lock)
        {
            var rows = new List<RecentRefusal>(Capacity);
            for (var i = 1; i <= Capacity; i++)
            {
                if (_ring[(_next - i + Capacity) % Capacity] is { } row)
                {
                    rows.Add(row);
                }
            }

            return rows;
        }
    }

    private void Add(RecentRefusal row)
    {
        lock (_lock)
        {
            _ring[_next] = row;
            _next = (_next + 1) % Capacity;
        }
    }
}
