using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy;

namespace MtlsGateway.Admin;

/// <summary>
/// <c>/config</c>: which configuration is running (version, content hash, load time, the last reload's errors) and what
/// it says: listeners, routes with their policy and mode, policies with their partners and allowlists, trust stores with
/// their CAs and CRLs, SPIFFE bundles, passthrough entries and the SNI names each server certificate serves. Written
/// from the compiled snapshot, field by field, so nothing is shown that is not named here: no key material, no key or
/// token contents; file paths are shown as configured.
/// </summary>
internal static class ConfigEndpoint
{
    public static async Task WriteAsync(HttpContext context, GatewayState state, IProxyStateLookup proxy)
    {
        var snapshot = state.Current;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", snapshot.Version);
        json.WriteString("hash", snapshot.Hash);
        json.WriteString("loadedAt", snapshot.LoadedAt);
        json.WriteStartArray("lastReloadErrors");
        foreach (var error in state.LastReloadErrors)
        {
            json.WriteStringValue(error.ToString());
        }

        json.WriteEndArray();
        if (state.LastReloadFailedAt is { } failedAt)
        {
            json.WriteString("lastReloadFailedAt", failedAt);
        }

        if (state.WatcherFault is { } fault)
        {
            json.WriteStartObject("watcherFault");
            json.WriteString("reason", fault.Reason);
            json.WriteString("since", fault.Since);
            json.WriteEndObject();
        }

        json.WriteStartObject("listeners");
        foreach (var listener in snapshot.Listeners)
        {
            json.WriteString(listener.Name, $"{(listener.IsTls ? "https" : "http")}://{listener.EndPoint}");
        }

        json.WriteEndObject();
        WriteRoutes(json, snapshot, proxy);
        WritePolicies(json, snapshot);
        WriteTrustStores(json, snapshot);
        SpiffeBundlesJson.Write(json, snapshot);
        json.WriteString("defaultPolicy", snapshot.DefaultPolicy.Name);
        json.WriteStartArray("serverCertificates");
        foreach (var certificate in snapshot.ServerCertificates)
        {
            json.WriteStartObject();
            json.WriteString("subject", certificate.Subject);
            json.WriteString("notAfter", certificate.NotAfter);
            json.WriteString("sha256", Fingerprints.Sha256(certificate.Certificate));
            json.WriteString("file", certificate.CertificateFile);
            WriteStrings(json, "hosts", certificate.Hosts.Select(h => h.Pattern));
            json.WriteBoolean("default", certificate.IsDefault);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("passthrough");
        foreach (var entry in snapshot.Passthrough)
        {
            json.WriteStartObject();
            json.WriteString("name", entry.Name);
            WriteStrings(json, "hosts", entry.Hosts.Select(h => h.Pattern));
            WriteStrings(json, "destinations", entry.Destinations);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The routes YARP serves (what it was given from this configuration), each with the policy it resolves to.</summary>
    private static void WriteRoutes(Utf8JsonWriter json, GatewaySnapshot snapshot, IProxyStateLookup proxy)
    {
        json.WriteStartArray("routes");
        foreach (var route in proxy.GetRoutes().Select(r => r.Config).OrderBy(r => r.RouteId, StringComparer.Ordinal))
        {
            var policy = RoutePolicy.NameOf(route) is { } name ? snapshot.Policies.GetValueOrDefault(name) : null;
            json.WriteStartObject();
            json.WriteString("route", route.RouteId);
            WriteStrings(json, "hosts", route.Match.Hosts ?? []);
            json.WriteString("path", route.Match.Path);
            json.WriteString("cluster", route.ClusterId);
            json.WriteString("policy", policy?.Name);
            json.WriteString("mode", policy?.Mode.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WritePolicies(Utf8JsonWriter json, GatewaySnapshot snapshot)
    {
        json.WriteStartObject("policies");
        foreach (var policy in snapshot.Policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject(policy.Name);
            json.WriteString("mode", policy.Mode.ToString());
            if (policy.Mode == PolicyMode.Permissive)
            {
                json.WriteString("invalidCertificate", policy.InvalidCertificate.ToString());
            }

            if (policy.SolePartner is { } sole)
            {
                json.WriteString("trustStore", sole.TrustStore.Name);
            }

            json.WriteStartObject("partners");
            foreach (var partner in policy.Partners)
            {
                json.WriteStartObject(partner.Name);
                json.WriteString("trustStore", partner.TrustStore.Name);
                WriteAllow(json, partner.Allow.Entries);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (snapshot.Options.Policies.GetValueOrDefault(policy.Name)?.BoundToken is { } token)
            {
                // Who issues the tokens and where their public keys are; never a token.
                json.WriteStartObject("boundToken");
                json.WriteString("issuer", token.Issuer);
                json.WriteString("audience", token.Audience);
                json.WriteString("signingKeysFile", token.SigningKeysFile);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteAllow(Utf8JsonWriter json, AllowOptions allow)
    {
        json.WriteStartObject("allow");
        WriteStrings(json, "commonNames", allow.CommonNames);
        WriteStrings(json, "dnsNames", allow.DnsNames);
        WriteStrings(json, "uris", allow.Uris);
        WriteStrings(json, "sha256", allow.Sha256);
        json.WriteEndObject();
    }

    private static void WriteTrustStores(Utf8JsonWriter json, GatewaySnapshot snapshot)
    {
        json.WriteStartObject("trustStores");
        foreach (var store in snapshot.TrustStores.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject(store.Name);
            json.WriteString("revocation", store.Revocation.ToString());
            json.WriteString("revocationFailure", store.RevocationFailure.ToString());
            json.WriteBoolean("allowPartialChain", store.AllowPartialChain);
            WriteStrings(json, "caFiles", snapshot.Options.TrustStores.GetValueOrDefault(store.Name)?.CaFiles ?? []);
            json.WriteStartArray("cas");
            foreach (var ca in store.Roots.Concat(store.Intermediates))
            {
                WriteCertificate(json, ca);
            }

            json.WriteEndArray();
            json.WriteStartArray("crls");
            for (var i = 0; i < store.Crls.Count; i++)
            {
                var crl = store.Crls[i];
                json.WriteStartObject();
                json.WriteString("file", store.CrlSources[i]);
                json.WriteString("issuer", DistinguishedNames.Format(crl.Issuer));
                json.WriteString("thisUpdate", crl.ThisUpdate);
                if (crl.NextUpdate is { } next)
                {
                    json.WriteString("nextUpdate", next);
                }
                else
                {
                    json.WriteNull("nextUpdate");
                }

                json.WriteNumber("entries", crl.Count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "pins", store.Pins.Order(StringComparer.Ordinal));
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteCertificate(Utf8JsonWriter json, X509Certificate2 certificate)
    {
        json.WriteStartObject();
        json.WriteString("subject", CertificateFacts.Name(certificate));
        json.WriteString("sha256", Fingerprints.Sha256(certificate));
        json.WriteString("notAfter", CertificateFacts.NotAfter(certificate));
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
