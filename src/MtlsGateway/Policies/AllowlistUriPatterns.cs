using System.Collections.Frozen;

namespace MtlsGateway.Policies;

/// <summary>
/// URI allowlist entries: exact URIs, and prefixes written <c>scheme://host/path/*</c> (any path strictly below).
/// A certificate URI with a dot segment (<c>..</c>, <c>%2e%2e</c>), an encoded <c>/</c> or <c>\</c>, a query or a
/// fragment matches no entry: compared as text, <c>spiffe://acme.test/orders/../admin</c> is "below"
/// <c>orders/*</c> while it names <c>/admin</c>. SPIFFE IDs have none of these; refusing is safer than normalising
/// into what some backend may read differently.
/// </summary>
internal sealed class AllowlistUriPatterns
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _prefixes; // "spiffe://acme.test/orders/" for ".../orders/*"

    public AllowlistUriPatterns(IEnumerable<string> patterns)
    {
        var valid = patterns.Where(p => Problem(p ?? string.Empty) is null).ToList();
        _exact = valid.Where(p => !p.EndsWith("/*", StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);
        _prefixes = [.. valid.Where(p => p.EndsWith("/*", StringComparison.Ordinal)).Select(p => p[..^1])];
    }

    public bool Matches(string uri) =>
        Unmatchable(uri) is null
        && (_exact.Contains(uri) || _prefixes.Any(p => uri.Length > p.Length && uri.StartsWith(p, StringComparison.Ordinal)));

    /// <summary>Why a certificate URI (or a pattern) cannot take part in matching, or null.</summary>
    public static string? Unmatchable(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Contains('?', StringComparison.Ordinal) || uri.Contains('#', StringComparison.Ordinal))
        {
            return "has a query or fragment";
        }

        if (uri.Contains('\\', StringComparison.Ordinal) || uri.Contains("%2f", StringComparison.OrdinalIgnoreCase)
            || uri.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            return "has a backslash or an encoded '/' or '\\'";
        }

        var authority = uri.IndexOf("://", StringComparison.Ordinal);
        var path = authority < 0 ? uri : uri.IndexOf('/', authority + 3) is var start and >= 0 ? uri[start..] : string.Empty;
        foreach (var segment in path.Split('/'))
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (decoded is "." or "..")
            {
                return "has a dot segment ('.' or '..', plain or percent-encoded)";
            }
        }

        return null;
    }

    /// <summary>What is wrong with a pattern, or null.</summary>
    public static string? Problem(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "is empty; give a URI such as 'spiffe://acme.test/orders' or 'spiffe://acme.test/orders/*', or remove the entry";
        }

        var body = pattern.EndsWith("/*", StringComparison.Ordinal) ? pattern[..^2] : pattern;
        if (body.Contains('*', StringComparison.Ordinal))
        {
            return $"'{pattern}': '*' is only allowed as a final '/*' (any path below), as in 'spiffe://acme.test/orders/*'";
        }

        if (Unmatchable(body) is { } why)
        {
            return $"'{pattern}' {why}, which no certificate URI may have to match (SPIFFE IDs never do); write the plain path, as in 'spiffe://acme.test/orders/*'";
        }

        return Uri.TryCreate(body, UriKind.Absolute, out var uri) && uri.Scheme.Length > 0 && body.Contains("://", StringComparison.Ordinal)
            ? null
            : $"'{pattern}' is not an absolute URI; write it with its scheme and authority, as in 'spiffe://acme.test/orders'";
    }
}
