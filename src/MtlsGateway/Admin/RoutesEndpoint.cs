using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Configuration;
using MtlsGateway.Ops;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy;

namespace MtlsGateway.Admin;

/// <summary><c>/api/routes</c>: each route YARP serves with its hosts, path, mode, policy and trust store; for Permissive
/// routes the Strict migration report over <c>Gateway:Diagnostics:PartnerRetention</c>: requests, those without a
/// verified certificate, and who sent them.</summary>
internal static class RoutesEndpoint
{
    public static async Task WriteAsync(HttpContext context, GatewayState state, IProxyStateLookup proxy, RouteTraffic traffic, TimeProvider time)
    {
        var snapshot = state.Current;
        var since = time.GetUtcNow() - snapshot.Options.Diagnostics.PartnerRetention;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("since", since);
        json.WriteStartArray("routes");
        foreach (var route in proxy.GetRoutes().Select(r => r.Config).OrderBy(r => r.RouteId, StringComparer.Ordinal))
        {
            var policy = state.FindPolicy(RoutePolicy.NameOf(route), RoutePolicy.RevisionOf(route));
            json.WriteStartObject();
            json.WriteString("route", route.RouteId);
            json.WriteStartArray("hosts");
            foreach (var host in route.Match.Hosts ?? [])
            {
                json.WriteStringValue(host);
            }

            json.WriteEndArray();
            json.WriteString("path", route.Match.Path);
            json.WriteString("cluster", route.ClusterId);
            json.WriteString("policy", policy?.Name);
            json.WriteString("mode", policy?.Mode.ToString());
            json.WriteString("trustStore", policy?.TrustStoreNames);
            if (policy is { Mode: PolicyMode.Permissive })
            {
                json.WriteString("invalidCertificate", policy.InvalidCertificate.ToString());
                WriteMigration(json, traffic.Of(route.RouteId), since);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteMigration(Utf8JsonWriter json, RouteUsage? usage, DateTimeOffset since)
    {
        var (requests, unverified) = usage?.Since(since) ?? (0, 0);
        json.WriteStartObject("migration");
        json.WriteNumber("requests", requests);
        json.WriteNumber("unverified", unverified);
        json.WriteNumber("unverifiedShare", requests == 0 ? 0 : Math.Round((double)unverified / requests, 4));
        json.WriteStartArray("callers");
        foreach (var caller in usage?.Callers(since) ?? [])
        {
            json.WriteStartObject();
            json.WriteString("remoteIp", caller.RemoteIp);
            json.WriteString("verified", caller.Verified);
            json.WriteString("failure", caller.Failure);
            json.WriteString("subject", caller.Subject);
            json.WriteString("sha256", caller.Sha256);
            json.WriteNumber("requests", caller.Requests);
            json.WriteString("lastSeen", caller.LastSeen);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
