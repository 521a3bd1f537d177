using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Loading;

namespace MtlsGateway.Cli;

/// <summary><c>validate</c>: loads the configuration exactly as <c>run</c> would and prints every error; when it is valid,
/// each trust store's CRLs (whose, bound or waiting for a presented issuer) and SPIFFE bundles, and the warnings about set-ups that will
/// refuse clients (exit code still 0).</summary>
public static class ValidateCommand
{
    public static int Execute(string configPath, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = Load(configPath, TimeProvider.System);
        if (result.IsValid)
        {
            var snapshot = result.Snapshot!;
            var now = TimeProvider.System.GetUtcNow();
            var stores = snapshot.TrustStores.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            var warnings = stores.SelectMany(s => TrustStoreWarnings.For(s, now)).Concat(Policies.PartnerWarnings.For(snapshot.Options)).ToList();
            output.WriteLine($"{configPath}: valid ({snapshot.Listeners.Count} listener(s), {snapshot.Policies.Count} policy(ies), {snapshot.Routes.Count} route(s), hash {snapshot.Hash[..12]})"
                + (warnings.Count == 0 ? string.Empty : $", {warnings.Count} warning(s)"));
            foreach (var store in stores.Where(s => s.Crls.Count > 0))
            {
                PrintCrls(store, output);
            }

            foreach (var store in stores)
            {
                foreach (var bundle in store.Spiffe?.Bundles ?? [])
                {
                    output.WriteLine($"  trust store '{store.Name}': SPIFFE bundle of trust domain '{bundle.TrustDomain}' from '{bundle.Source}': {bundle.Summary()}");
                }
            }

            foreach (var warning in warnings)
            {
                output.WriteLine($"  warning: {warning}");
            }

            return GatewayCommandLine.Ok; // warnings do not refuse: the store is consistent, only likely not what was meant
        }

        PrintErrors(configPath, result.Errors, output);
        return GatewayCommandLine.Refused;
    }

    /// <summary>Reads and validates the configuration file (and the environment's overrides).</summary>
    public static ConfigLoadResult Load(string configPath, TimeProvider time) =>
        GatewayConfigLoader.LoadFile(new GatewaySource(configPath, Overrides: null), version: 1, time);

    /// <summary>Each CRL of the store: whose it is, and whether it is bound to a CA of the store or waits for a presented issuer.</summary>
    private static void PrintCrls(TrustStore store, TextWriter output)
    {
        output.WriteLine($"  trust store '{store.Name}' (Revocation {store.Revocation}): {store.Crls.Count} CRL(s)");
        for (var i = 0; i < store.Crls.Count; i++)
        {
            var crl = store.Crls[i];
            var binding = crl.Signer is { } ca
                ? $"bound to CA {CertificateFacts.Name(ca)} of the store"
                : "not a CA of the store: waits for a presented issuer (used once a client's verified chain holds that CA and its key signed the CRL)";
            var next = crl.NextUpdate is { } n ? Durations.Instant(n) : "none";
            output.WriteLine($"    CRL {store.CrlSources[i]}: issuer {DistinguishedNames.Format(crl.Issuer)}, {binding}; thisUpdate {Durations.Instant(crl.ThisUpdate)}, nextUpdate {next}, {crl.RevokedSerials.Count} revoked");
        }
    }

    public static void PrintErrors(string configPath, IReadOnlyList<ConfigError> errors, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{configPath}: {errors.Count} error(s)");
        foreach (var error in errors)
        {
            output.WriteLine($"  {error}");
        }
    }
}
