using Microsoft.AspNetCore.Http;

namespace MtlsGateway.Admin;

/// <summary>
/// The status page at <c>/</c> of the admin listener: one HTML document, its script and its style sheet, embedded in the
/// assembly (nothing from elsewhere: it works on an air-gapped host). The Content-Security-Policy lets it load only
/// those two files and fetch only the admin listener's own JSON, and no page may frame it.
/// </summary>
internal static class StatusPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Html = new(() => Load("status.html"));
    private static readonly Lazy<byte[]> Script = new(() => Load("status.js"));
    private static readonly Lazy<byte[]> Style = new(() => Load("status.css"));

    public static Task WriteAsync(HttpContext context, string file)
    {
        var (body, type) = file switch
        {
            "status.js" => (Script.Value, "text/javascript; charset=utf-8"),
            "status.css" => (Style.Value, "text/css; charset=utf-8"),
            _ => (Html.Value, "text/html; charset=utf-8"),
        };
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-cache";
        context.Response.ContentType = type;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("MtlsGateway.Admin.StatusPage." + name)
            ?? throw new InvalidOperationException($"The status page's {name} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
