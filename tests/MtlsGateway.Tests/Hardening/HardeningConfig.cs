using System.Text.Json.Nodes;

namespace MtlsGateway.Tests.Hardening;

/// <summary>Config edits shared by the limits, backend and shutdown tests.</summary>
internal static class HardeningConfig
{
    /// <summary>Sets <c>Gateway:Limits</c> keys (JSON values as written in the file).</summary>
    public static void Limits(JsonObject config, params (string Key, JsonNode Value)[] limits)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = new JsonObject();
        foreach (var (key, value) in limits)
        {
            section[key] = value;
        }

        config["Gateway"]!["Limits"] = section;
    }

    /// <summary>Adds cluster <c>faulty</c> (the <see cref="FaultyBackend"/> at <paramref name="address"/>) and, on host
    /// <c>localhost</c> under the Strict policy, a route to it for each of its failure paths.</summary>
    public static void FaultyRoutes(JsonObject config, Uri address, Action<JsonObject>? editCluster = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cluster = new JsonObject { ["Destinations"] = new JsonObject { ["a"] = new JsonObject { ["Address"] = address.ToString() } } };
        editCluster?.Invoke(cluster);
        config["ReverseProxy"]!["Clusters"]!["faulty"] = cluster;
        var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
        foreach (var path in new[] { "/hang", "/slow/{**rest}", "/reset-before", "/reset-mid", "/drain" })
        {
            var id = "faulty-" + path.Trim('/').Split('/')[0];
            routes[id] = new JsonObject
            {
                ["ClusterId"] = "faulty",
                ["AuthorizationPolicy"] = "acme-orders",
                ["Match"] = new JsonObject { ["Hosts"] = new JsonArray("localhost"), ["Path"] = path },
            };
        }
    }
}
