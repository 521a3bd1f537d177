namespace MtlsGateway.Cli;

/// <summary>A clock stopped at one instant: <c>check --at</c> asks "would it be admitted then?".</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
