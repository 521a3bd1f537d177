using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Admin;

/// <summary><c>/api/refusals</c>: the last 200 refusal events and reported certificates, newest first, with the fields
/// the log has (capped the same way); a summarised flood is one row with its <c>count</c>.</summary>
internal static class RefusalsEndpoint
{
    public static async Task WriteAsync(HttpContext context, RecentRefusals recent)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("refusals");
        foreach (var row in recent.Snapshot())
        {
            var d = row.Details;
            json.WriteStartObject();
            json.WriteString("event", row.Event);
            json.WriteBoolean("summarised", row.Summarised);
            json.WriteNumber("count", row.Count);
            json.WriteString("firstSeen", row.FirstSeen);
            json.WriteString("lastSeen", row.LastSeen);
            json.WriteString("reason", d.Reason.ToString());
            json.WriteString("hint", d.Hint);
            json.WriteString("remoteIp", d.RemoteIp);
            json.WriteString("listener", d.Listener);
            json.WriteString("sni", d.Sni);
            json.WriteString("host", d.Host);
            json.WriteString("route", d.Route);
            json.WriteString("policy", d.Policy);
            json.WriteString("trustStore", d.TrustStore);
            json.WriteString("certSubject", d.CertSubject);
            json.WriteString("certIssuer", d.CertIssuer);
            json.WriteString("certSha256", d.CertSha256);
            if (d.CertNotAfter is { } notAfter)
            {
                json.WriteString("certNotAfter", notAfter);
            }

            json.WriteString("certDns", d.CertDns);
            json.WriteString("certUris", d.CertUris);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
