using System.Collections.Frozen;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// A policy's compiled <c>Allow</c>: which verified identities it admits. Kinds and entries are alternatives
/// (any match admits); an empty allowlist admits every certificate the trust store verifies.
/// CN: exact, ordinal. DNS: case-insensitive, a leading <c>*</c> label matches exactly one label.
/// URI: exact, ordinal; a pattern ending in <c>/*</c> matches any path strictly below it; a URI with a dot segment,
/// query or fragment matches nothing (<see cref="AllowlistUriPatterns"/>). SHA-256: hex, any case, colons ignored.
/// Malformed entries are reported by <see cref="Validate"/>; the constructor ignores them.
/// </summary>
public sealed class Allowlist
{
    private const int ListedEntries = 5;

    private readonly FrozenSet<string> _commonNames;
    private readonly AllowlistDnsPatterns _dnsNames;
    private readonly AllowlistUriPatterns _uris;
    private readonly FrozenSet<string> _sha256;
    private readonly AllowOptions _options;

    public Allowlist(AllowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _commonNames = options.CommonNames.ToFrozenSet(StringComparer.Ordinal);
        _dnsNames = new AllowlistDnsPatterns(options.DnsNames);
        _uris = new AllowlistUriPatterns(options.Uris);
        _sha256 = options.Sha256
            .Select(s => Fingerprints.TryNormalizeSha256(s, out var hex) ? hex : null)
            .OfType<string>()
            .ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The entries as configured, for <c>/config</c>.</summary>
    internal AllowOptions Entries => _options;

    /// <summary>No entries at all: every verified certificate is admitted.</summary>
    public bool AdmitsAll => _options.IsEmpty;

    public bool Admits(CertificateIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return AdmitsAll
            || (identity.CommonName is { } cn && _commonNames.Contains(cn))
            || identity.DnsNames.Any(_dnsNames.Matches)
            || identity.Uris.Any(_uris.Matches)
            || _sha256.Contains(identity.Sha256.ToUpperInvariant());
    }

    /// <summary>
    /// Why <paramref name="identity"/> is not admitted, naming what the certificate carries against each kind the
    /// policy lists: "SAN URI spiffe://x is not in policy 'acme-orders' Allow.Uris [spiffe://acme.test/orders/*]".
    /// </summary>
    public string DescribeMismatch(CertificateIdentity identity, string policyName) =>
        DescribeMismatchOf(identity, $"policy '{policyName}' ");

    /// <summary>As above for one partner of a policy with several: "… is not in partner 'globex' of policy 'orders' Allow.Uris […]".</summary>
    public string DescribeMismatch(CertificateIdentity identity, string policyName, string partnerName) =>
        DescribeMismatchOf(identity, $"partner '{partnerName}' of policy '{policyName}' ");

    /// <summary>What of <paramref name="identity"/> this allowlist admits ("CN acme-orders", "SAN URI spiffe://…"), or null.</summary>
    public string? DescribeMatch(CertificateIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (AdmitsAll)
        {
            return "the certificate (an empty Allow admits every verified certificate)";
        }

        if (identity.CommonName is { } cn && _commonNames.Contains(cn))
        {
            return $"CN {cn}";
        }

        var dns = identity.DnsNames.FirstOrDefault(_dnsNames.Matches);
        if (dns is not null)
        {
            return $"SAN DNS {dns}";
        }

        var uri = identity.Uris.FirstOrDefault(_uris.Matches);
        if (uri is not null)
        {
            return $"SAN URI {uri}";
        }

        return _sha256.Contains(identity.Sha256.ToUpperInvariant()) ? $"SHA-256 {identity.Sha256}" : null;
    }

    private string DescribeMismatchOf(CertificateIdentity identity, string owner)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var parts = new List<string>();
        if (_options.CommonNames.Count > 0)
        {
            parts.Add(Clause("CN", "CNs", identity.CommonName is { } cn ? [cn] : [], "CommonNames", List(_options.CommonNames)));
        }

        if (_options.DnsNames.Count > 0)
        {
            parts.Add(Clause("SAN DNS", "SAN DNS names", identity.DnsNames, "DnsNames", List(_options.DnsNames)));
        }

        if (_options.Uris.Count > 0)
        {
            var clause = Clause("SAN URI", "SAN URIs", identity.Uris, "Uris", List(_options.Uris));
            var unmatchable = identity.Uris.Select(u => (Uri: u, Why: AllowlistUriPatterns.Unmatchable(u))).Where(u => u.Why is not null).ToList();
            if (unmatchable.Count > 0)
            {
                // Say why a URI that looks "below" a pattern is not: the operator would otherwise suspect the pattern.
                clause += " (" + string.Join("; ", unmatchable.Select(u => $"{Escape(u.Uri)} {u.Why} and matches no URI entry")) + ")";
            }

            parts.Add(clause);
        }

        if (_options.Sha256.Count > 0)
        {
            parts.Add(Clause("SHA-256", "SHA-256", [identity.Sha256], "Sha256", $"({_options.Sha256.Count} {(_options.Sha256.Count == 1 ? "entry" : "entries")})"));
        }

        return parts.Count == 1
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, parts[0], owner)
            : $"certificate matches none of {owner}Allow: " + string.Join("; ", parts.Select(p => string.Format(System.Globalization.CultureInfo.InvariantCulture, p, string.Empty)));
    }

    /// <summary>Reports malformed entries at <c>{path}:{Kind}:{index}</c>.</summary>
    public static void Validate(AllowOptions options, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        Report(options.CommonNames, $"{path}:CommonNames", errors, cn => string.IsNullOrWhiteSpace(cn) ? "is empty; give the exact CN, or remove the entry" : null);
        Report(options.DnsNames, $"{path}:DnsNames", errors, AllowlistDnsPatterns.Problem);
        Report(options.Uris, $"{path}:Uris", errors, AllowlistUriPatterns.Problem);
        Report(options.Sha256, $"{path}:Sha256", errors, sha => Fingerprints.TryNormalizeSha256(sha, out _)
            ? null
            : $"'{sha}' is not a SHA-256 fingerprint; expected 64 hex digits (colons allowed), e.g. from 'openssl x509 -noout -fingerprint -sha256 -in client.crt'");
    }

    private static void Report(List<string> entries, string path, ICollection<ConfigError> errors, Func<string, string?> problem)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (problem(entries[i] ?? string.Empty) is { } message)
            {
                errors.Add(new ConfigError($"{path}:{i}", message));
            }
        }
    }

    /// <summary>One kind's sentence with a {0} slot for "policy 'x' " (filled only when it is the sole clause).</summary>
    private static string Clause(string kind, string kinds, IReadOnlyList<string> values, string key, string allowed) => values.Count switch
    {
        0 => $"the certificate has no {kind} to match {{0}}Allow.{key} {Escape(allowed)}",
        1 => $"{kind} {Escape(values[0])} is not in {{0}}Allow.{key} {Escape(allowed)}",
        // A certificate may carry thousands of names: list a few, built per refusal.
        _ => $"{kinds} [{Escape(string.Join(", ", values.Take(ListedEntries)))}{(values.Count > ListedEntries ? $", … ({values.Count - ListedEntries} more)" : string.Empty)}] are not in {{0}}Allow.{key} {Escape(allowed)}",
    };

    /// <summary>A clause is a composite format string: braces from a certificate or the configuration stay literal.</summary>
    private static string Escape(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    private static string List(List<string> entries) => entries.Count <= ListedEntries
        ? $"[{string.Join(", ", entries)}]"
        : $"[{string.Join(", ", entries.Take(ListedEntries))}, … ({entries.Count - ListedEntries} more)]";
}
