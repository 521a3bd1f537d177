namespace MtlsGateway.Configuration;

/// <summary>The admin listener (health, readiness, metrics, loaded configuration).</summary>
public sealed class AdminOptions
{
    public string? Url { get; set; } = "http://127.0.0.1:9901";

    /// <summary>Host names (or IPs) the admin listener answers besides its own address and, on loopback, localhost:
    /// e.g. the Service name Prometheus or a person uses. Anything else gets 421 (DNS rebinding).</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Lets <see cref="Url"/> bind an address other hosts can reach (0.0.0.0, a pod IP). Off by default: the
    /// listener has no authentication and shows partner identities, so exposing it is a decision someone writes down.</summary>
    public bool AllowRemote { get; set; }

    /// <param name="endpoint">The parsed <see cref="Url"/>; null when it is unset or did not parse (already reported).</param>
    public static void Validate(AdminOptions options, ListenerEndpoint? endpoint, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (endpoint is not null && !System.Net.IPAddress.IsLoopback(endpoint.EndPoint.Address) && !options.AllowRemote)
        {
            errors.Add(new ConfigError("Gateway:Admin:Url",
                $"'{options.Url}' is reachable from other hosts, and the admin listener has no authentication and shows partner identities; " +
                "keep it on loopback (e.g. 'http://127.0.0.1:9901'), or set Gateway:Admin:AllowRemote to true once a NetworkPolicy or firewall " +
                "limits who can connect and Gateway:Admin:AllowedHosts names the hosts people use (see docs/deploy.md, 'Exposing the admin listener safely')"));
        }

        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            if (AdminHosts.Problem(options.AllowedHosts[i]) is { } problem)
            {
                errors.Add(new ConfigError($"Gateway:Admin:AllowedHosts:{i}", problem));
            }
        }
    }
}
