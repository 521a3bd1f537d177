using System.Net;
using System.Net.Sockets;

namespace MtlsGateway.Configuration;

/// <summary>
/// Which <c>Host</c> headers the admin listener answers (DNS rebinding: a browser page on <c>evil.test</c>, its name
/// re-pointed at the admin address, sends <c>Host: evil.test</c> and could otherwise read <c>/config</c> and
/// <c>/metrics</c>). Accepted, port ignored: the address the connection arrived on; on a loopback or any-address
/// listener <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c>; every entry of <c>Gateway:Admin:AllowedHosts</c>; and
/// no Host at all (HTTP/1.0 health checks).
/// A Host that is an IP literal cannot be a rebound name, so the local address covers a pod scraped by its IP.
/// </summary>
internal static class AdminHosts
{
    public static bool Allows(string host, IPAddress? localAddress, IPAddress boundAddress, IReadOnlyList<string> allowedHosts)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(boundAddress);
        ArgumentNullException.ThrowIfNull(allowedHosts);
        var name = host.TrimEnd('.');
        if (name.Length == 0)
        {
            // HTTP/1.0 without Host, as HAProxy's 'option httpchk' sends: a browser always names the host it was given.
            return true;
        }

        var loopbackListener = IPAddress.IsLoopback(boundAddress) || boundAddress.Equals(IPAddress.Any) || boundAddress.Equals(IPAddress.IPv6Any);
        if (TryParseAddress(name, out var address))
        {
            return (localAddress is not null && Normalize(localAddress).Equals(address))
                || Normalize(boundAddress).Equals(address)
                || (loopbackListener && IPAddress.IsLoopback(address))
                || allowedHosts.Any(a => TryParseAddress(a, out var entry) && entry.Equals(address));
        }

        return (loopbackListener && string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
            || allowedHosts.Any(a => string.Equals(a.Trim().TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>What is wrong with a <c>Gateway:Admin:AllowedHosts</c> entry, or null.</summary>
    public static string? Problem(string? entry)
    {
        var value = entry?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            return "is empty; give a host name (e.g. 'mtls-gateway-admin.mtls-gateway.svc') or an IP address, or remove the entry";
        }

        if (TryParseAddress(value, out _))
        {
            return null;
        }

        return Uri.CheckHostName(value.TrimEnd('.')) == UriHostNameType.Dns
            ? null
            : $"'{entry}' is not a host name or an IP address; give the name alone, without scheme, port, path or '*' (e.g. 'mtls-gateway-admin.mtls-gateway.svc')";
    }

    private static bool TryParseAddress(string text, out IPAddress address)
    {
        var trimmed = text.Trim();
        var bare = trimmed.StartsWith('[') && trimmed.EndsWith(']') ? trimmed[1..^1] : trimmed;
        // IPAddress.TryParse also takes "1" or "0x7f.1"; only the dotted quad or an IPv6 literal is an address in a Host.
        if ((bare.Contains(':', StringComparison.Ordinal) || bare.Count(c => c == '.') == 3) && IPAddress.TryParse(bare, out var parsed)
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 || bare.All(c => char.IsAsciiDigit(c) || c == '.')))
        {
            address = Normalize(parsed);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
