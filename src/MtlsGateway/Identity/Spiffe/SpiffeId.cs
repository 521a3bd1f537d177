using System.Diagnostics.CodeAnalysis;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// A SPIFFE ID (<c>spiffe://trust-domain/path</c>) as the SPIFFE ID specification defines it, checked as go-spiffe checks
/// it: scheme <c>spiffe</c> in lower case, a trust domain of <c>[a-z0-9._-]</c> (so no wildcard, port or user info), a
/// path of non-empty segments of <c>[a-zA-Z0-9._-]</c> other than <c>.</c> and <c>..</c>, no trailing slash, no query or
/// fragment, at most 2048 bytes.
/// </summary>
public sealed record SpiffeId(string TrustDomain, string Path)
{
    public const string Scheme = "spiffe://";

    private const int MaxIdLength = 2048;
    private const int MaxTrustDomainLength = 255;

    public override string ToString() => Scheme + TrustDomain + Path;

    /// <summary>Whether a URI SAN claims to be a SPIFFE ID (its scheme is spiffe, in any case): such a certificate is
    /// judged as an X509-SVID, and a malformed one is refused rather than read as an ordinary URI.</summary>
    public static bool Claims(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.StartsWith("spiffe:", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The SPIFFE ID in <paramref name="uri"/>, or null and what is wrong with it (a phrase).</summary>
    public static bool TryParse(string uri, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(uri);
        id = null;
        if (uri.Length > MaxIdLength)
        {
            problem = $"is longer than {MaxIdLength} bytes";
            return false;
        }

        if (!uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            problem = "does not start with 'spiffe://' (the scheme must be lower case and followed by //)";
            return false;
        }

        var rest = uri.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        var trustDomain = (slash < 0 ? rest : rest[..slash]).ToString();
        var path = slash < 0 ? string.Empty : rest[slash..].ToString();
        problem = TrustDomainProblem(trustDomain) ?? PathProblem(path);
        if (problem is not null)
        {
            return false;
        }

        id = new SpiffeId(trustDomain, path);
        return true;
    }

    /// <summary>Why a SpiffeBundles key is not a trust domain name (a SPIFFE ID or URL, a path, a wildcard, upper case), or null.</summary>
    public static string? TrustDomainKeyProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var scheme = name.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var host = name[(scheme + 3)..].Split('/')[0];
            return $"'{name}' is a SPIFFE ID or URL, not a trust domain name; use the name alone as the key: \"{host}\"";
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            return $"'{name}' has a path; a bundle belongs to a whole trust domain, so the key is the name alone: \"{name.Split('/')[0]}\"";
        }

        return TrustDomainProblem(name) is { } problem
            ? $"'{name}' is not a trust domain name: it {problem}; a bundle belongs to exactly one trust domain — add one entry per trust domain"
            : null;
    }

    /// <summary>What is wrong with a trust domain name, or null: lower-case letters, digits, '.', '-', '_' only.</summary>
    public static string? TrustDomainProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "has no trust domain";
        }

        if (name.Length > MaxTrustDomainLength)
        {
            return $"has a trust domain longer than {MaxTrustDomainLength} characters";
        }

        foreach (var c in name)
        {
            if (c == '*')
            {
                return $"has a wildcard in trust domain '{name}' (a trust domain is one exact name)";
            }

            if (char.IsAsciiLetterUpper(c))
            {
                return $"has upper-case letters in trust domain '{name}' (trust domains are lower case: '{name.ToLowerInvariant()}')";
            }

            if (!IsTrustDomainChar(c))
            {
                return $"has '{c}' in trust domain '{name}' (only lower-case letters, digits, '.', '-' and '_' are allowed; no port, user or query)";
            }
        }

        return null;
    }

    private static string? PathProblem(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        if (path.EndsWith('/'))
        {
            return "ends in '/' (a SPIFFE ID path has no trailing slash)";
        }

        foreach (var segment in path[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                return "has an empty path segment ('//')";
            }

            if (segment is "." or "..")
            {
                return $"has a '{segment}' path segment";
            }

            foreach (var c in segment)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
                {
                    return $"has '{c}' in its path (only letters, digits, '.', '-' and '_' are allowed; no query or fragment)";
                }
            }
        }

        return null;
    }

    private static bool IsTrustDomainChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_';
}
