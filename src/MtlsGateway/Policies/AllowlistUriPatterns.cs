using System.Collections.Frozen;

namespace MtlsGateway.Policies;

/// <summary>URI allowlist entries: exact URIs, and prefixes written <c>scheme://host/path/*</c> (any path strictly below).</summary>
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
        _exact.Contains(uri) || _prefixes.Any(p => uri.Length > p.Length && uri.StartsWith(p, StringComparison.Ordinal));

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

        return Uri.TryCreate(body, UriKind.Absolute, out var uri) && uri.Scheme.Length > 0 && body.Contains("://", StringComparison.Ordinal)
            ? null
            : $"'{pattern}' is not an absolute URI; write it with its scheme and authority, as in 'spiffe://acme.test/orders'";
    }
}
