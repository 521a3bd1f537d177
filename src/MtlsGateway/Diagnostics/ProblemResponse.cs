using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// Writes RFC 9457 problem+json bodies for everything the gateway refuses or cannot forward. The body says what
/// a client may know (status, title, the machine reason, a trace id to quote to ops); the hint with
/// configuration details stays in the log.
/// </summary>
public static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    /// <param name="header">A header the refusal needs (<c>WWW-Authenticate</c>, <c>Retry-After</c>), set after the response is cleared.</param>
    public static async Task WriteAsync(HttpContext context, int status, string title, string? reason, string? detail = null,
        KeyValuePair<string, string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        if (header is { } extra)
        {
            context.Response.Headers[extra.Key] = extra.Value;
        }
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("type", $"https://httpwg.org/specs/rfc9110.html#status.{status}");
        writer.WriteString("title", title);
        writer.WriteNumber("status", status);
        if (detail is not null)
        {
            writer.WriteString("detail", detail);
        }

        if (reason is not null)
        {
            writer.WriteString("reason", reason);
        }

        // The same id as the request's log events (RequestRejected, BackendFailed, RequestCompleted: TraceId).
        writer.WriteString("traceId", context.TraceIdentifier);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>A short, configuration-free sentence a client may see.</summary>
    public static string ClientDetail(RejectReason reason) => reason switch
    {
        RejectReason.NoCertificate => "A client certificate is required.",
        RejectReason.PlaintextNotAllowed => "This resource requires TLS with a client certificate.",
        RejectReason.HostMismatch => "The request's host does not match the TLS server name of the connection.",
        RejectReason.Expired => "The client certificate has expired.",
        RejectReason.NotYetValid => "The client certificate is not yet valid.",
        RejectReason.Revoked => "The client certificate has been revoked.",
        RejectReason.NotAllowed => "The client certificate is not allowed for this resource.",
        RejectReason.UpgradeNotAllowed => "This resource does not accept a protocol upgrade.",
        RejectReason.TokenInvalid => "A valid access token is required.",
        RejectReason.TokenNotBound => "The access token is not bound to the client certificate.",
        RejectReason.RateLimited => "Too many requests; retry later.",
        _ => "The client certificate was not accepted.",
    };
}
