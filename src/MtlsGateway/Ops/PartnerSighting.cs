using MtlsGateway.Policies;

namespace MtlsGateway.Ops;

/// <summary>A connection's entry in the registry for the policy its requests were admitted under: later requests of the
/// connection only bump the record's counters.</summary>
internal sealed record PartnerSighting(GatewayPolicy Policy, PartnerRecord Record);
