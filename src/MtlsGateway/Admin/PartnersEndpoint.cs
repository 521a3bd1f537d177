using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Ops;
using MtlsGateway.Runtime;

namespace MtlsGateway.Admin;

/// <summary><c>/api/partners</c>: every client certificate admitted within <c>Gateway:Diagnostics:PartnerRetention</c>,
/// most recently seen first, with days left and whether that is within <c>ClientExpiryWarning</c>.</summary>
internal static class PartnersEndpoint
{
    public static async Task WriteAsync(HttpContext context, GatewayState state, PartnerRegistry registry, TimeProvider time)
    {
        var options = state.Current.Options.Diagnostics;
        var now = time.GetUtcNow();
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("now", now);
        json.WriteString("retention", options.PartnerRetention.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("maxPartners", options.MaxPartners);
        json.WriteNumber("expiryWarningDays", options.ClientExpiryWarning.TotalDays);
        json.WriteStartArray("partners");
        foreach (var partner in registry.Partners())
        {
            var daysLeft = Math.Floor((partner.NotAfter - now).TotalDays);
            json.WriteStartObject();
            json.WriteString("subject", partner.Subject);
            json.WriteString("issuer", partner.Issuer);
            json.WriteString("serial", partner.Serial);
            json.WriteString("spiffeId", partner.SpiffeId);
            json.WriteString("dnsNames", partner.DnsNames);
            json.WriteString("uris", partner.Uris);
            json.WriteString("policy", partner.Policy);
            json.WriteString("partner", partner.Partner);
            json.WriteString("sha256", partner.Sha256);
            json.WriteString("notBefore", partner.NotBefore);
            json.WriteString("notAfter", partner.NotAfter);
            json.WriteNumber("daysLeft", daysLeft);
            json.WriteBoolean("expiring", partner.NotAfter - now <= options.ClientExpiryWarning);
            json.WriteString("firstSeen", partner.FirstSeen);
            json.WriteString("lastSeen", partner.LastSeen);
            json.WriteNumber("requests", partner.Requests);
            json.WriteNumber("connections", partner.Connections);
            json.WriteStartArray("remoteIps");
            foreach (var ip in partner.RemoteIps)
            {
                json.WriteStringValue(ip);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
