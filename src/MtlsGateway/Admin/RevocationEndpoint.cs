using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Runtime;

namespace MtlsGateway.Admin;

/// <summary><c>/api/revocation</c>: every CRL the gateway knows — from CrlFiles (<c>source: file</c>) and fetched from
/// distribution points (<c>source: url</c>, with the last fetch and its result, also while no list has arrived yet); and
/// under <c>ocsp</c> every certificate asked about over OCSP with its cached answer.</summary>
internal static class RevocationEndpoint
{
    public static async Task WriteAsync(HttpContext context, GatewayState state, FetchedCrls fetched)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("crls");
        foreach (var store in state.Current.TrustStores.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var crl in store.Crls)
            {
                json.WriteStartObject();
                json.WriteString("trustStore", store.Name);
                json.WriteString("issuer", DistinguishedNames.Format(crl.Issuer));
                json.WriteString("source", "file");
                WriteList(json, crl);
                json.WriteEndObject();
            }
        }

        foreach (var point in fetched.Points.OrderBy(p => p.TrustStore, StringComparer.Ordinal).ThenBy(p => p.IssuerName, StringComparer.Ordinal)
            .ThenBy(p => p.Url, StringComparer.Ordinal))
        {
            var held = point.State;
            json.WriteStartObject();
            json.WriteString("trustStore", point.TrustStore);
            json.WriteString("issuer", point.IssuerName);
            json.WriteString("source", "url");
            json.WriteString("url", point.Url);
            if (held.Crl is { } crl)
            {
                WriteList(json, crl);
            }

            WriteOptional(json, "lastFetch", held.LastFetchAt);
            json.WriteString("lastResult", held.LastResult);
            json.WriteString("lastError", held.LastError);
            WriteOptional(json, "nextFetch", held.NextAttemptAt == DateTimeOffset.MaxValue ? null : held.NextAttemptAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteOcsp(json, fetched.Ocsp);
        json.WriteEndObject();
    }

    /// <summary>Every certificate asked about over OCSP: its answer (status, this/next update) and the last request.</summary>
    private static void WriteOcsp(Utf8JsonWriter json, OcspAnswers answers)
    {
        json.WriteStartArray("ocsp");
        foreach (var entry in answers.Entries.OrderBy(e => e.TrustStore, StringComparer.Ordinal).ThenBy(e => e.IssuerName, StringComparer.Ordinal)
            .ThenBy(e => e.Serial, StringComparer.Ordinal))
        {
            var held = entry.State;
            json.WriteStartObject();
            json.WriteString("trustStore", entry.TrustStore);
            json.WriteString("issuer", entry.IssuerName);
            json.WriteString("serial", entry.Serial);
            json.WriteString("url", held.Url ?? entry.Urls[0]);
            if (held.Answer is { } answer)
            {
                json.WriteString("status", answer.Status.ToString().ToLowerInvariant());
                json.WriteString("thisUpdate", answer.ThisUpdate);
                WriteOptional(json, "nextUpdate", answer.NextUpdate);
                json.WriteString("validUntil", answer.ValidUntil);
                json.WriteString("signedBy", answer.SignedBy);
            }
            else
            {
                json.WriteNull("status");
            }

            WriteOptional(json, "lastFetch", held.LastFetchAt);
            json.WriteString("lastResult", held.LastResult);
            json.WriteString("lastError", held.LastError);
            WriteOptional(json, "nextFetch", held.NextAttemptAt == DateTimeOffset.MaxValue ? null : held.NextAttemptAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteList(Utf8JsonWriter json, RevocationList crl)
    {
        json.WriteString("thisUpdate", crl.ThisUpdate);
        WriteOptional(json, "nextUpdate", crl.NextUpdate);
        json.WriteNumber("entries", crl.RevokedSerials.Count);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } instant)
        {
            json.WriteString(name, instant);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
