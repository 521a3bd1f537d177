using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Loading;

/// <summary>
/// Compiles a policy's partners: <c>TrustStore</c> + <c>Allow</c> (one partner, named after the policy) or
/// <c>Partners</c>, never both; and checks across policies that a partner name means one trust store, since the name
/// is the identity everywhere (header, events, metrics, rate limits).
/// </summary>
internal static class PolicyPartnersLoader
{
    /// <summary>The partners of <paramref name="policy"/> (empty on any error, each reported at its path).</summary>
    public static List<PolicyPartner> Load(
        string name, PolicyOptions policy, GatewayOptions options, Dictionary<string, TrustStore> trustStores, List<ConfigError> errors)
    {
        var path = $"Gateway:Policies:{name}";
        var known = ConfigError.Known(options.TrustStores.Keys);
        if (policy.Partners.Count == 0)
        {
            if (string.IsNullOrWhiteSpace(policy.TrustStore))
            {
                errors.Add(new ConfigError($"{path}:TrustStore",
                    $"is missing; name the trust store that verifies client certificates; known: {known} (or list the policy's Partners, each with its own TrustStore and Allow)"));
                return [];
            }

            Allowlist.Validate(policy.Allow, $"{path}:Allow", errors);
            return Store(policy.TrustStore, $"{path}:TrustStore", options, trustStores, known, errors) is { } store
                ? [new PolicyPartner(name, store, new Allowlist(policy.Allow))]
                : [];
        }

        var ok = true;
        if (!string.IsNullOrWhiteSpace(policy.TrustStore))
        {
            errors.Add(new ConfigError($"{path}:TrustStore", "is set together with Partners; a policy has either TrustStore and Allow (one partner) or Partners: move the store into the partner it belongs to"));
            ok = false;
        }

        if (!policy.Allow.IsEmpty)
        {
            errors.Add(new ConfigError($"{path}:Allow", "is set together with Partners; each partner has its own Allow: move these entries into the partner they belong to"));
            ok = false;
        }

        var partners = new List<PolicyPartner>();
        foreach (var (partnerName, partner) in policy.Partners.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var partnerPath = $"{path}:Partners:{partnerName}";
            if (partner is null)
            {
                errors.Add(new ConfigError(partnerPath, "is empty; give the partner a TrustStore and an Allow"));
                ok = false;
                continue;
            }

            if (!IsPartnerName(partnerName))
            {
                errors.Add(new ConfigError(partnerPath, $"'{partnerName}' is not a usable partner name (it is sent in a header and used as a metric label); use letters, digits, '.', '_' and '-'"));
                ok = false;
            }

            Allowlist.Validate(partner.Allow, $"{partnerPath}:Allow", errors);
            if (string.IsNullOrWhiteSpace(partner.TrustStore))
            {
                errors.Add(new ConfigError($"{partnerPath}:TrustStore", $"is missing; name the trust store that holds this partner's CAs only; known: {known}"));
                ok = false;
            }
            else if (Store(partner.TrustStore, $"{partnerPath}:TrustStore", options, trustStores, known, errors) is { } store)
            {
                partners.Add(new PolicyPartner(partnerName, store, new Allowlist(partner.Allow)));
            }
            else
            {
                ok = false;
            }
        }

        return ok ? partners : [];
    }

    /// <summary>A partner name is one identity: every policy that names it must verify it with the same trust store.</summary>
    public static void CheckNamesAcrossPolicies(GatewayOptions options, List<ConfigError> errors)
    {
        var first = new Dictionary<string, (string Policy, string Store)>(StringComparer.Ordinal);
        foreach (var (policyName, policy) in options.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entries = policy.Partners.Count == 0
                ? [(Name: policyName, Store: policy.TrustStore, Path: $"Gateway:Policies:{policyName}:TrustStore")]
                : policy.Partners.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => (Name: p.Key, Store: p.Value?.TrustStore, Path: $"Gateway:Policies:{policyName}:Partners:{p.Key}:TrustStore"));
            foreach (var (name, store, path) in entries)
            {
                if (string.IsNullOrWhiteSpace(store))
                {
                    continue;
                }

                if (!first.TryGetValue(name, out var seen))
                {
                    first[name] = (policyName, store);
                }
                else if (!string.Equals(seen.Store, store, StringComparison.Ordinal))
                {
                    errors.Add(new ConfigError(path,
                        $"partner '{name}' is verified by trust store '{seen.Store}' in policy '{seen.Policy}' and by '{store}' here; a partner name is one identity: use the same trust store, or give the partners different names"));
                }
            }
        }
    }

    private static bool IsPartnerName(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static TrustStore? Store(
        string storeName, string path, GatewayOptions options, Dictionary<string, TrustStore> trustStores, string known, List<ConfigError> errors)
    {
        if (trustStores.TryGetValue(storeName, out var store))
        {
            return store;
        }

        if (!options.TrustStores.ContainsKey(storeName))
        {
            errors.Add(new ConfigError(path, $"'{storeName}' is not a trust store; known: {known}"));
        }

        return null; // a store that failed to load has reported its own errors
    }
}
