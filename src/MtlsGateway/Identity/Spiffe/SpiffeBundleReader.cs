using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// Reads a SPIFFE trust bundle file (SPIFFE Trust Domain and Bundle, §4): a JWK Set whose <c>x509-svid</c> keys carry
/// their CA certificate in <c>x5c</c> (base64 DER; the first element is the CA), with optional <c>spiffe_sequence</c> and
/// <c>spiffe_refresh_hint</c>. Only <c>x5c</c> is used: the key parameters repeat the certificate's key. <c>jwt-svid</c>
/// keys, and keys of another or no <c>use</c>, are counted and ignored. Every problem is reported at the SpiffeBundles
/// entry with where in the file it is, never thrown.
/// </summary>
internal static class SpiffeBundleReader
{
    private const string Example = "a SPIFFE bundle is a JWK Set: { \"keys\": [ { \"use\": \"x509-svid\", \"kty\": \"EC\", \"x5c\": [ \"<base64 DER of the CA>\" ] } ] }";

    // Ten years: a longer hint is a unit mistake (the hint is in seconds), and TimeSpan must hold it.
    private const long MaxRefreshHintSeconds = 10L * 365 * 24 * 3600;

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    public static SpiffeBundle? Read(string trustDomain, string? entry, string baseDirectory, string entryPath, ICollection<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            errors.Add(new ConfigError(entryPath, $"is empty; name the SPIFFE bundle file of trust domain '{trustDomain}' (relative to the config file's folder, or absolute)"));
            return null;
        }

        var full = ConfigFiles.Resolve(baseDirectory, entry);
        if (!File.Exists(full))
        {
            errors.Add(new ConfigError(entryPath, Directory.Exists(full)
                ? $"'{entry}' is a folder; name the bundle file itself"
                : $"file '{entry}' does not exist (resolved to '{full}'); fetch the bundle from trust domain '{trustDomain}''s bundle endpoint (or 'spire-server bundle show -format spiffe') and save it there"));
            return null;
        }

        if (!SafeFile.TryRead(full, FileLimit.SpiffeBundle, out var bytes, out var error))
        {
            errors.Add(new ConfigError(entryPath, $"'{entry}' {error}"));
            return null;
        }

        var before = errors.Count;
        try
        {
            using var document = JsonDocument.Parse(bytes, Strict);
            var bundle = Parse(trustDomain, entry, document.RootElement, entryPath, errors);
            return errors.Count > before ? null : bundle;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
            errors.Add(new ConfigError(entryPath, $"'{entry}' is not valid JSON{where}: {FirstSentence(e.Message)}; {Example}"));
            return null;
        }
    }

    private static SpiffeBundle? Parse(string trustDomain, string entry, JsonElement root, string entryPath, ICollection<ConfigError> errors)
    {
        var before = errors.Count;
        void Error(string message) => errors.Add(new ConfigError(entryPath, $"'{entry}' {message}"));

        if (root.ValueKind != JsonValueKind.Object)
        {
            Error($"holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object; {Example}");
            return null;
        }

        var sequence = ReadInteger(root, "spiffe_sequence", minimum: 0, maximum: long.MaxValue, Error);
        var refreshSeconds = ReadInteger(root, "spiffe_refresh_hint", minimum: 1, maximum: MaxRefreshHintSeconds, Error);
        if (!root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            Error($"has no \"keys\" array; {Example}");
            return null;
        }

        var authorities = new List<X509Certificate2>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int jwt = 0, other = 0, index = -1;
        foreach (var key in keys.EnumerateArray())
        {
            index++;
            if (key.ValueKind != JsonValueKind.Object)
            {
                Error($"keys[{index}] is not a JSON object (a JWK)");
                continue;
            }

            var use = key.TryGetProperty("use", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            switch (use)
            {
                case "jwt-svid":
                    jwt++;
                    continue;
                case not "x509-svid":
                    other++;
                    continue;
            }

            if (ReadAuthority(key, $"keys[{index}]", Error) is { } authority && seen.Add(Fingerprints.Sha256(authority)))
            {
                authorities.Add(authority);
            }
        }

        if (authorities.Count == 0 && errors.Count == before)
        {
            Error($"holds no x509-svid key ({jwt} jwt-svid and {other} other key(s), which X509-SVIDs cannot be verified with), so no certificate of trust domain '{trustDomain}' could ever be admitted; use the trust domain's X.509 bundle, whose keys have \"use\": \"x509-svid\" and the CA certificate in x5c");
            return null;
        }

        return new SpiffeBundle(trustDomain, entry, sequence, refreshSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, authorities, jwt, other);
    }

    /// <summary>The CA certificate of an x509-svid key: the first element of its x5c, which must be a CA.</summary>
    private static X509Certificate2? ReadAuthority(JsonElement key, string where, Action<string> error)
    {
        if (!key.TryGetProperty("x5c", out var x5c) || x5c.ValueKind != JsonValueKind.Array || x5c.GetArrayLength() == 0)
        {
            error($"{where} (use x509-svid) has no x5c array with the CA certificate; an x509-svid key carries its CA as base64 DER in x5c[0]");
            return null;
        }

        var first = x5c[0];
        byte[] der;
        try
        {
            der = first.ValueKind == JsonValueKind.String ? Convert.FromBase64String(first.GetString()!) : throw new FormatException("not a string");
        }
        catch (FormatException)
        {
            error($"{where}.x5c[0] is not a base64 string (x5c holds standard base64 of DER, not PEM and not base64url)");
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            error($"{where}.x5c[0] is not a certificate ({e.Message}); x5c[0] is the base64 DER of the trust domain's CA certificate");
            return null;
        }

        if (!CertificateFacts.IsCertificateAuthority(certificate))
        {
            error($"{where}.x5c[0] holds {CertificateFacts.Name(certificate)}, which is not a CA certificate (basic constraints CA=false); a bundle holds the trust domain's signing CAs, not SVIDs");
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static long? ReadInteger(JsonElement root, string name, long minimum, long maximum, Action<string> error)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }

        error($"{name} must be an integer from {minimum} to {maximum} (is {Shorten(value.GetRawText())})");
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
