namespace MtlsGateway.Configuration;

/// <summary>
/// Configuration keys that say where one instance listens rather than what the gateway does: each listener's
/// <c>Url</c>, the admin <c>Url</c> and the demo backend's. The content hash leaves them out, so instances that differ
/// only in ports (three on one host, pods bound to their own IP) show one hash.
/// </summary>
internal static class InstanceSpecificKeys
{
    public static bool Contains(string key) =>
        string.Equals(key, "Gateway:Admin:Url", StringComparison.OrdinalIgnoreCase)
        || string.Equals(key, "Gateway:DemoBackend:Url", StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith("Gateway:Listeners:", StringComparison.OrdinalIgnoreCase)
            && key.EndsWith(":Url", StringComparison.OrdinalIgnoreCase)
            && key.AsSpan("Gateway:Listeners:".Length).Count(':') == 1);
}
