using System.Net;

namespace MtlsGateway.Configuration;

/// <summary>A listener's validated PROXY protocol settings.</summary>
public sealed record ProxyProtocolSettings(ProxyProtocolMode Mode, IReadOnlyList<IPNetwork> TrustedNetworks)
{
    /// <summary>Whether <paramref name="peer"/> (the TCP peer, i.e. the load balancer) may send a header.</summary>
    public bool IsTrusted(IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(peer);

        // A dual-stack listener ([::]) sees IPv4 peers as ::ffff:a.b.c.d; operators write IPv4 networks.
        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        foreach (var network in TrustedNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Validates <paramref name="options"/>; null when the mode is Off or on error. Every problem is added to
    /// <paramref name="errors"/> under <paramref name="path"/>.
    /// </summary>
    public static ProxyProtocolSettings? Compile(ProxyProtocolOptions? options, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (options is null)
        {
            return null;
        }

        var networks = new List<IPNetwork>();
        var valid = true;
        for (var i = 0; i < options.TrustedNetworks.Count; i++)
        {
            if (ParseNetwork(options.TrustedNetworks[i], out var network, out var problem))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add(new ConfigError($"{path}:TrustedNetworks:{i}", problem));
                valid = false;
            }
        }

        if (options.Mode == ProxyProtocolMode.Off)
        {
            return null;
        }

        if (options.TrustedNetworks.Count == 0)
        {
            errors.Add(new ConfigError($"{path}:TrustedNetworks",
                $"is empty, so no load balancer could send a header and Mode {options.Mode} would refuse every proxied connection; list the load balancers' source networks (e.g. [\"10.0.0.0/8\"]) or set Mode to Off"));
            return null;
        }

        return valid ? new ProxyProtocolSettings(options.Mode, networks) : null;
    }

    private static bool ParseNetwork(string? text, out IPNetwork network, out string problem)
    {
        network = default;
        problem = string.Empty;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            problem = "is empty; write a network such as \"10.0.0.0/8\" or an address such as \"10.1.2.3\"";
            return false;
        }

        // A bare address is a network of one.
        if (!trimmed.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(trimmed, out var single))
        {
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && IPAddress.TryParse(trimmed[..slash], out var address)
            && int.TryParse(trimmed[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            && prefix <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            // .NET masks host bits silently ("10.1.2.3/8" becomes 10.0.0.0/8): a trust list must not widen by
            // accident, so name both readings and let the operator choose.
            var masked = MaskTo(address, prefix);
            if (!masked.Equals(address))
            {
                problem = $"'{trimmed}' has bits set beyond its /{prefix} prefix; write \"{masked}/{prefix}\" for the network, or \"{address}\" for the single address";
                return false;
            }

            network = new IPNetwork(masked, prefix);
            return true;
        }

        problem = $"'{trimmed}' is not a network; write CIDR notation such as \"10.0.0.0/8\", \"fd00::/8\", or a single address";
        return false;
    }

    private static IPAddress MaskTo(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    // IPNetwork is a value type with value equality; the list is compared element by element so that an
    // unchanged listener compares equal across reloads (ConfigReloadService compares listeners).
    public bool Equals(ProxyProtocolSettings? other) =>
        other is not null && Mode == other.Mode && TrustedNetworks.SequenceEqual(other.TrustedNetworks);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Mode);
        foreach (var network in TrustedNetworks)
        {
            hash.Add(network);
        }

        return hash.ToHashCode();
    }
}
