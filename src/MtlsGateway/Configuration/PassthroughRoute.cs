namespace MtlsGateway.Configuration;

/// <summary>A compiled <c>Gateway:Passthrough</c> entry.</summary>
public sealed record PassthroughRoute(string Name, IReadOnlyList<HostPattern> Hosts, IReadOnlyList<string> Destinations);
