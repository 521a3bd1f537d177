using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Admin;

/// <summary>The admin listener: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus text), <c>/config</c> (no secrets),
/// <c>/api/revocation</c> (every known CRL). Served only on the admin listener, never on a partner-facing one.</summary>
public static class AdminEndpoints
{
    public static Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = context.RequestServices.GetRequiredService<GatewayState>();
        return context.Request.Path.Value switch
        {
            "/healthz" => WriteText(context, StatusCodes.Status200OK, "ok"),
            "/readyz" => state.IsLoaded && state.ListenersReady
                ? WriteText(context, StatusCodes.Status200OK, "ready")
                : WriteText(context, StatusCodes.Status503ServiceUnavailable, "not ready"),
            "/config" => WriteConfig(context, state),
            "/metrics" => context.RequestServices.GetRequiredService<PrometheusExporter>().WriteAsync(context),
            "/api/revocation" => RevocationEndpoint.WriteAsync(context, state, context.RequestServices.GetRequiredService<FetchedCrls>()),
            _ => ProblemResponse.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", null, "Admin endpoints: /healthz, /readyz, /metrics, /config, /api/revocation."),
        };
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n");
    }

    private static async Task WriteConfig(HttpContext context, GatewayState state)
    {
        var snapshot = state.Current;
        context.Response.ContentType = "application/json";
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

        json.WriteStartObject("listeners");
        foreach (var listener in snapshot.Listeners)
        {
            json.WriteString(listener.Name, $"{(listener.IsTls ? "https" : "http")}://{listener.EndPoint}");
        }

        json.WriteEndObject();
        json.WriteStartObject("policies");
        foreach (var policy in snapshot.Policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject(policy.Name);
            json.WriteString("mode", policy.Mode.ToString());
            json.WriteString("trustStore", policy.TrustStore.Name);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteString("defaultPolicy", snapshot.DefaultPolicy.Name);
        json.WriteStartArray("serverCertificates");
        foreach (var certificate in snapshot.ServerCertificates)
        {
            json.WriteStartObject();
            json.WriteString("subject", certificate.Subject);
            json.WriteString("notAfter", certificate.NotAfter);
            json.WriteString("sha256", certificate.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
