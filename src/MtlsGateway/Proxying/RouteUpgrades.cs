using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Policies;
using Yarp.ReverseProxy.Configuration;

namespace MtlsGateway.Proxying;

/// <summary>
/// Which protocol upgrades a route lets through, from its YARP metadata <c>"Gateway.AllowUpgrade"</c>: unset or
/// <c>None</c> (the default) refuses every one; otherwise a comma-separated list of protocols, e.g. <c>WebSocket</c>
/// or <c>websocket, SPDY/3.1</c> (a name without a version admits every version). An upgraded connection is a
/// tunnel the gateway no longer sees requests in, so a backend that answers 101 to anything must not be reachable
/// with one unless the route says so. Covers HTTP/1.1 <c>Upgrade</c> and HTTP/2 extended CONNECT <c>:protocol</c>.
/// </summary>
internal static class RouteUpgrades
{
    public const string MetadataKey = "Gateway.AllowUpgrade";

    private const string None = "None";

    // Route metadata keys the gateway reads; any other "Gateway." key is a typo it would silently ignore.
    private static readonly string[] KnownKeys = [MetadataKey];

    /// <summary>The protocols the request asks to switch to (HTTP/1.1 Upgrade, extended CONNECT), or empty.</summary>
    public static string? Requested(HttpContext context)
    {
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return connect.Protocol ?? string.Empty;
        }

        // What Kestrel (and so YARP) treats as an upgrade: HTTP/1.1 with Connection: upgrade and an Upgrade header.
        return context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } ? context.Request.Headers.Upgrade.ToString() : null;
    }

    /// <summary>The refusal for an upgrade <paramref name="route"/> does not allow, or null.</summary>
    public static RequestRefusal? Check(HttpContext context, RouteConfig? route, GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        if (Requested(context) is not { } requested)
        {
            return null;
        }

        var allowed = route?.Metadata?.GetValueOrDefault(MetadataKey);
        var protocols = Split(requested);
        if (protocols.Length > 0 && protocols.All(p => Allows(allowed, p)))
        {
            return null;
        }

        var routeId = route?.RouteId ?? "(none)";
        var hint = allowed is null || string.Equals(allowed.Trim(), None, StringComparison.OrdinalIgnoreCase)
            ? $"route '{routeId}' allows no protocol upgrade and the client asked for '{requested}'; to let it through, set ReverseProxy:Routes:{routeId}:Metadata:{MetadataKey} to e.g. 'WebSocket'"
            : $"route '{routeId}' allows upgrades to '{allowed}' and the client asked for '{requested}'";
        return new RequestRefusal(RejectReason.UpgradeNotAllowed, StatusCodes.Status403Forbidden, hint, policy.Name, policy.TrustStoreNames, null)
        {
            Partner = context.Features.Get<ClientIdentityFeature>()?.Partner,
        };
    }

    /// <summary>Checks a route's <c>Metadata</c>: the value of <see cref="MetadataKey"/>, and no other <c>Gateway.</c> key.</summary>
    public static void Validate(IConfigurationSection metadata, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var entry in metadata.GetChildren())
        {
            var entryPath = $"{path}:Metadata:{entry.Key}";
            if (!string.Equals(entry.Key, MetadataKey, StringComparison.OrdinalIgnoreCase))
            {
                if (entry.Key.StartsWith("Gateway.", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(new ConfigError(entryPath, $"'{entry.Key}' is not a gateway route setting; known: {string.Join(", ", KnownKeys)}"));
                }

                continue;
            }

            if (Problem(entry.Value) is { } problem)
            {
                errors.Add(new ConfigError(entryPath, problem));
            }
        }
    }

    private static string? Problem(string? value)
    {
        var protocols = Split(value ?? string.Empty);
        if (protocols.Length == 0)
        {
            return $"is empty; use 'WebSocket', a comma-separated list of protocols such as 'websocket, SPDY/3.1', or '{None}'";
        }

        if (protocols.Length > 1 && protocols.Contains(None, StringComparer.OrdinalIgnoreCase))
        {
            return $"'{value}': '{None}' stands alone; remove it or the protocols";
        }

        return protocols.FirstOrDefault(p => !IsProtocol(p)) is { } bad
            ? $"'{bad}' is not an upgrade protocol; use a name such as 'WebSocket' or 'SPDY/3.1' (letters, digits and !#$%&'*+-.^_`|~, one optional '/version'), or '{None}'"
            : null;
    }

    private static bool Allows(string? allowed, string protocol)
    {
        if (allowed is null)
        {
            return false;
        }

        var slash = protocol.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? protocol : protocol[..slash];
        foreach (var entry in Split(allowed))
        {
            if (!string.Equals(entry, None, StringComparison.OrdinalIgnoreCase)
                && (string.Equals(entry, protocol, StringComparison.OrdinalIgnoreCase)
                    || (!entry.Contains('/', StringComparison.Ordinal) && string.Equals(entry, name, StringComparison.OrdinalIgnoreCase))))
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Split(string value) => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>RFC 9110 7.8: protocol-name ["/" protocol-version], both tokens.</summary>
    private static bool IsProtocol(string protocol)
    {
        var parts = protocol.Split('/');
        return parts.Length <= 2 && parts.All(p => p.Length > 0 && p.All(IsTokenChar));
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
