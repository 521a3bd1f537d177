using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Ops;
using MtlsGateway.Runtime;

namespace MtlsGateway.Admin;

/// <summary><c>/api/expiry</c>: what runs out, soonest first: server certificates, trust-store CAs, CRLs (their
/// nextUpdate; from CrlFiles and fetched) and partner certificates within <c>Gateway:Diagnostics:ClientExpiryWarning</c>.</summary>
internal static class ExpiryEndpoint
{
    private sealed record Item(string Kind, string Name, string? Scope, DateTimeOffset At, string? Sha256);

    public static async Task WriteAsync(HttpContext context, GatewayState state, FetchedCrls fetched, PartnerRegistry partners, TimeProvider time)
    {
        var snapshot = state.Current;
        var now = time.GetUtcNow();
        var warning = snapshot.Options.Diagnostics.ClientExpiryWarning;
        var items = new List<Item>();
        foreach (var server in snapshot.ServerCertificates)
        {
            items.Add(new Item("server", CertificateFacts.Name(server.Certificate), string.Join(", ", server.Hosts.Select(h => h.ToString())),
                server.NotAfter, Fingerprints.Sha256(server.Certificate)));
        }

        foreach (var store in snapshot.TrustStores.Values)
        {
            items.AddRange(store.Roots.Select(ca => Ca("root", ca, store.Name)));
            items.AddRange(store.Intermediates.Select(ca => Ca("intermediate", ca, store.Name)));
            items.AddRange(store.Crls.Where(c => c.NextUpdate is not null)
                .Select(c => new Item("crl", DistinguishedNames.Format(c.Issuer), store.Name, c.NextUpdate!.Value, null)));
        }

        items.AddRange(fetched.Points.Where(p => p.State.Crl?.NextUpdate is not null)
            .Select(p => new Item("crl", p.IssuerName, p.TrustStore, p.State.Crl!.NextUpdate!.Value, null)));
        items.AddRange(partners.Partners().Where(p => p.NotAfter - now <= warning)
            .Select(p => new Item("client", p.Subject, p.Policy, p.NotAfter, p.Sha256)));

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("expiry");
        foreach (var item in items.OrderBy(i => i.At).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("kind", item.Kind);
            json.WriteString("name", item.Name);
            json.WriteString("scope", item.Scope);
            json.WriteString("at", item.At);
            json.WriteNumber("daysLeft", Math.Floor((item.At - now).TotalDays));
            json.WriteBoolean("warning", item.At - now <= warning);
            json.WriteString("sha256", item.Sha256);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static Item Ca(string kind, X509Certificate2 ca, string store) =>
        new(kind, CertificateFacts.Name(ca), store, CertificateFacts.NotAfter(ca), Fingerprints.Sha256(ca));
}
