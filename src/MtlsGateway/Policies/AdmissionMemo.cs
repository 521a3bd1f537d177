namespace MtlsGateway.Policies;

/// <summary>A policy's verdict on a connection's certificate and until when it holds. Policy objects are new on every
/// reload, so comparing them by reference also ends the memo when the configuration changes.</summary>
internal sealed record AdmissionMemo(GatewayPolicy Policy, PolicyVerdict Verdict, DateTimeOffset ValidUntil);
