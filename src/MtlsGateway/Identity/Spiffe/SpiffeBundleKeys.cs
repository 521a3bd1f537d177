using Microsoft.Extensions.Configuration;
using MtlsGateway.Configuration;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// Checks SpiffeBundles entries before the binder sees them: configuration splits keys at ':', so a SPIFFE ID used as
/// the key (<c>"spiffe://acme.test"</c>) or an object instead of a file name becomes nested sections, which the binder
/// refuses with no path at all. Here each is an error at its own path that says what the key or value should be.
/// </summary>
internal static class SpiffeBundleKeys
{
    public static List<ConfigError> Check(IConfigurationSection gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var errors = new List<ConfigError>();
        foreach (var store in gateway.GetSection("TrustStores").GetChildren())
        {
            foreach (var entry in store.GetSection("SpiffeBundles").GetChildren().Where(e => e.Value is null))
            {
                foreach (var (relative, _) in entry.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null))
                {
                    var key = $"{entry.Key}:{relative}";
                    // "spiffe://acme.test" arrives as "spiffe" holding "//acme.test": a URL, not an object for a file.
                    var message = !key.Contains("://", StringComparison.Ordinal) && SpiffeId.TrustDomainProblem(entry.Key) is null
                        ? $"must be the path of the bundle file (a string), e.g. \"{entry.Key}\": \"bundles/{entry.Key}.json\""
                        : SpiffeId.TrustDomainKeyProblem(key) ?? $"'{key}' is not a trust domain name (a trust domain holds no ':')";
                    errors.Add(new ConfigError($"Gateway:TrustStores:{store.Key}:SpiffeBundles:{key}", message));
                }
            }
        }

        return errors;
    }
}
