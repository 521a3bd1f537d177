using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Set-ups of <c>Partners</c> that load but are ambiguous: an identity allowed for two partners of one policy. Which
/// partner a certificate then belongs to depends only on whose store verified it, and a backend reading the CN or SAN
/// rather than <c>X-Client-Cert-Partner</c> cannot tell them apart. Warnings (shown by <c>validate</c>), not errors:
/// two partners may share a name by design.
/// </summary>
internal static class PartnerWarnings
{
    public static IEnumerable<ConfigError> For(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (policyName, policy) in options.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var partners = policy.Partners.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            for (var i = 0; i < partners.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    foreach (var warning in Overlaps(policyName, partners[i].Key, partners[i].Value.Allow, partners[j].Key, partners[j].Value.Allow))
                    {
                        yield return warning;
                    }
                }
            }
        }
    }

    private static List<ConfigError> Overlaps(string policy, string name, AllowOptions allow, string otherName, AllowOptions other)
    {
        var path = $"Gateway:Policies:{policy}:Partners:{name}:Allow";
        var otherDns = new AllowlistDnsPatterns(other.DnsNames);
        var otherSha = other.Sha256.Select(s => Fingerprints.TryNormalizeSha256(s, out var hex) ? hex : s).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = new List<ConfigError>();
        void Check(List<string> entries, string kind, Func<string, bool> overlaps)
        {
            for (var k = 0; k < entries.Count; k++)
            {
                if (entries[k] is { } entry && overlaps(entry))
                {
                    found.Add(new ConfigError($"{path}:{kind}:{k}",
                        $"'{entry}' overlaps partner '{otherName}' Allow.{kind}: a certificate with that identity is admitted as whichever partner's trust store verifies it; "
                        + "give each partner identities of its own, and have backends read X-Client-Cert-Partner rather than the certificate's names"));
                }
            }
        }

        Check(allow.CommonNames, "CommonNames", cn => other.CommonNames.Contains(cn, StringComparer.Ordinal));
        Check(allow.DnsNames, "DnsNames", dns => other.DnsNames.Any(o => string.Equals(o, dns, StringComparison.OrdinalIgnoreCase))
            || otherDns.Matches(dns) || other.DnsNames.Any(o => new AllowlistDnsPatterns([dns]).Matches(o)));
        Check(allow.Uris, "Uris", uri => other.Uris.Any(o => UrisOverlap(uri, o)));
        Check(allow.Sha256, "Sha256", sha => otherSha.Contains(Fingerprints.TryNormalizeSha256(sha, out var hex) ? hex : sha));
        return found;
    }

    /// <summary>Equal, or one is a <c>/*</c> pattern whose prefix the other (entry or pattern) lies below.</summary>
    private static bool UrisOverlap(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        static bool Below(string pattern, string entry) =>
            pattern.EndsWith("/*", StringComparison.Ordinal) && entry.Length > pattern.Length - 1
            && entry.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal);
        return Below(a, b) || Below(b, a);
    }
}
