namespace MtlsGateway.Configuration;

/// <summary>
/// A host name or a <c>*.suffix</c> wildcard. The wildcard stands for exactly one label, as in
/// certificates (RFC 6125): <c>*.partner.test</c> matches <c>api.partner.test</c>, not
/// <c>partner.test</c> nor <c>a.b.partner.test</c>.
/// </summary>
public sealed record HostPattern(string Pattern)
{
    public bool IsWildcard => Pattern.StartsWith("*.", StringComparison.Ordinal);

    public bool Matches(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        host = host.TrimEnd('.');
        if (!IsWildcard)
        {
            return string.Equals(Pattern, host, StringComparison.OrdinalIgnoreCase);
        }

        var suffix = Pattern.AsSpan(1); // ".partner.test"
        return host.Length > suffix.Length
            && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            && !host.AsSpan(0, host.Length - suffix.Length).Contains('.');
    }

    /// <summary>Whether some host name could match both patterns.</summary>
    public bool Overlaps(HostPattern other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (IsWildcard, other.IsWildcard) switch
        {
            (false, false) => string.Equals(Pattern, other.Pattern, StringComparison.OrdinalIgnoreCase),
            (true, true) => string.Equals(Pattern, other.Pattern, StringComparison.OrdinalIgnoreCase),
            (true, false) => Matches(other.Pattern),
            (false, true) => other.Matches(Pattern),
        };
    }

    /// <summary>Checks syntax: DNS labels, with <c>*</c> allowed only as the whole first label.</summary>
    public static bool TryParse(string? value, out HostPattern? pattern)
    {
        pattern = null;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 253)
        {
            return false;
        }

        var labels = value.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*" && i == 0 && labels.Length > 2)
            {
                continue;
            }

            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        pattern = new HostPattern(value.ToLowerInvariant());
        return true;
    }

    public override string ToString() => Pattern;
}
