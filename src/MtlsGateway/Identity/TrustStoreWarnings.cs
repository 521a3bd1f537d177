using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity;

/// <summary>
/// Set-ups that load but will refuse clients that ops expect to be admitted: a CA whose certificates can only ever get
/// RevocationUnknown. Warnings, not errors: the store is consistent, and a partner may not need that CA yet.
/// </summary>
internal static class TrustStoreWarnings
{
    /// <summary>What <c>validate</c> prints, as one <c>TrustStoreWarning</c> event per warning (<c>run</c> at start and after each reload).</summary>
    public static void Log(ILogger logger, IEnumerable<TrustStore> stores, DateTimeOffset at)
    {
        foreach (var store in stores.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var warning in For(store, at))
            {
                logger.TrustStoreWarning(store.Name, warning.Path, warning.Message);
            }
        }
    }

    public static IEnumerable<ConfigError> For(TrustStore store, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.Revocation != RevocationCheck.Offline || (store.IsPinsOnly && store.Spiffe is null))
        {
            yield break;
        }

        var path = $"Gateway:TrustStores:{store.Name}:CrlFiles";
        var outcome = store.RevocationFailure == RevocationFailureAction.Allow
            ? "will get RevocationUnknown (admitted unchecked, as RevocationFailure is Allow)"
            : "will get RevocationUnknown and be refused";
        foreach (var ca in store.Roots.Concat(store.Intermediates).Concat(store.Spiffe?.Authorities ?? []))
        {
            if (store.FindCrl(ca) is null)
            {
                yield return new ConfigError(path, $"certificates issued by {CertificateFacts.Name(ca)} {outcome}: Revocation is Offline and CrlFiles holds no CRL of that CA; add its CRL to CrlFiles, or set Revocation to None (or Online)");
            }
        }

        // A root-only store: leaves come from issuing CAs the clients send, whose CRLs can only be unbound ones.
        if (store.Roots.Count > 0 && store.Intermediates.Count == 0 && store.Crls.All(c => c.Signer is not null))
        {
            yield return new ConfigError(path, $"CaFiles holds only root CAs and CrlFiles only their CRLs: if clients send their issuing CA, the certificates it issues {outcome}; add the CRL of each issuing CA the clients send to CrlFiles (that CA need not be in CaFiles)");
        }

        for (var i = 0; i < store.Crls.Count; i++)
        {
            if (store.Crls[i].IsStale(at))
            {
                yield return new ConfigError(path, $"CRL '{store.CrlSources[i]}' of {DistinguishedNames.Format(store.Crls[i].Issuer)} is past its nextUpdate ({Durations.Instant(store.Crls[i].NextUpdate!.Value)}): certificates issued by that CA {outcome} until a fresh CRL replaces it");
            }
        }
    }
}
