namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Tests that count the process's file descriptors and managed memory, or hold thousands of connections: they run
/// alone, after the parallel tests, so neither their numbers nor other tests' time bounds are disturbed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResourceHeavyTests
{
    public const string Name = "Resource-heavy hardening tests";
}
