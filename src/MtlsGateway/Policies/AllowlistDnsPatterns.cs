using System.Collections.Frozen;

namespace MtlsGateway.Policies;

/// <summary>DNS allowlist entries: exact names, and <c>*.suffix</c> where <c>*</c> stands for exactly one label.</summary>
internal sealed class AllowlistDnsPatterns
{
    private readonly FrozenSet<string> _exact;
    private readonly FrozenSet<string> _wildcardSuffixes; // ".acme.test" for "*.acme.test"

    public AllowlistDnsPatterns(IEnumerable<string> patterns)
    {
        var valid = patterns.Where(p => Problem(p ?? string.Empty) is null).ToList();
        _exact = valid.Where(p => !p.StartsWith('*')).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _wildcardSuffixes = valid.Where(p => p.StartsWith('*')).Select(p => p[1..]).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public bool Matches(string name)
    {
        if (_exact.Contains(name))
        {
            return true;
        }

        // One label then the suffix: the first dot splits "a.acme.test" into "a" and ".acme.test".
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _wildcardSuffixes.Contains(name[dot..]);
    }

    /// <summary>What is wrong with a pattern, or null.</summary>
    public static string? Problem(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "is empty; give a DNS name such as 'orders.acme.test' or '*.acme.test', or remove the entry";
        }

        var labels = pattern.Split('.');
        if (labels.Any(l => l.Length == 0))
        {
            return $"'{pattern}' has an empty label; write names without leading, trailing or doubled dots";
        }

        if (labels.Skip(1).Any(l => l.Contains('*', StringComparison.Ordinal)) || (labels[0].Contains('*', StringComparison.Ordinal) && labels[0] != "*"))
        {
            return $"'{pattern}': '*' may only be the whole first label, as in '*.acme.test' (it matches exactly one label)";
        }

        return pattern == "*"
            ? "'*' alone would match any one-label name; write the domain after it, as in '*.acme.test', or leave DnsNames empty"
            : null;
    }
}
