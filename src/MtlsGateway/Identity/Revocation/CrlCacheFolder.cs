using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// <c>CrlCacheFolder</c>: one JSON file per distribution point, named by the SHA-256 of its URL, holding the URL, the
/// validators of the conditional GET and the CRL itself (base64 DER). Written atomically (temp file, then rename), so
/// a crash leaves the old file or the new one. What is read back is verified again with the issuer's key before use.
/// </summary>
internal static class CrlCacheFolder
{
    public static string PathFor(string folder, string url) =>
        Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..32] + ".json");

    /// <summary>The cached file of <paramref name="url"/>, null when there is none; throws <see cref="FormatException"/> when it is unreadable.</summary>
    public static CachedCrl? Read(string folder, string url)
    {
        var path = PathFor(folder, url);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            if (root.GetProperty("url").GetString() != url)
            {
                throw new FormatException("it belongs to another URL");
            }

            return new CachedCrl(
                Convert.FromBase64String(root.GetProperty("crl").GetString() ?? string.Empty),
                root.TryGetProperty("etag", out var etag) ? etag.GetString() : null,
                root.TryGetProperty("lastModified", out var modified) && modified.ValueKind == JsonValueKind.String ? modified.GetDateTimeOffset() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    public static void Write(string folder, string url, byte[] crl, string? etag, DateTimeOffset? lastModified, DateTimeOffset fetchedAt)
    {
        Directory.CreateDirectory(folder);
        var path = PathFor(folder, url);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var file = File.Create(temporary))
        using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("url", url);
            json.WriteString("fetchedAt", fetchedAt);
            if (etag is not null)
            {
                json.WriteString("etag", etag);
            }

            if (lastModified is { } modified)
            {
                json.WriteString("lastModified", modified);
            }

            json.WriteString("crl", Convert.ToBase64String(crl));
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }
}

internal sealed record CachedCrl(byte[] Der, string? ETag, DateTimeOffset? LastModified);
