namespace MtlsGateway.Tests.Support;

/// <summary>
/// Tests whose gateways turn on tracing: OpenTelemetry listens to ASP.NET Core's activity source process-wide, so
/// while one runs every other in-process gateway would start activities too (and send a new traceparent parent id).
/// They run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetryTests
{
    public const string Name = "Tests that trace process-wide";
}
