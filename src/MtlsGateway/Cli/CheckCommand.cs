using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Policies;

namespace MtlsGateway.Cli;

/// <summary><c>check</c>: would this certificate be admitted by this policy, and if not, why — the same verdict
/// and hint the gateway would log.</summary>
public static class CheckCommand
{
    public static Command Create(Option<string> config)
    {
        var policy = new Option<string>("--policy", "-p") { Description = "The policy to check against.", Required = true };
        var cert = new Option<string>("--cert") { Description = "PEM (or DER) file with the client certificate; further PEM certificates in it count as its chain.", Required = true };
        var chain = new Option<string?>("--chain") { Description = "PEM file with intermediates the client would send." };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Check as of this time (ISO 8601), default now." };
        var command = new Command("check", "Say whether a client certificate would be admitted by a policy, and why not. Exit 0 admitted, 1 refused, 2 usage or configuration error.")
        {
            policy, cert, chain, at, config,
        };
        command.SetAction(result => Execute(
            result.GetValue(config)!, result.GetValue(policy)!, result.GetValue(cert)!, result.GetValue(chain), result.GetValue(at), Console.Out));
        return command;
    }

    public static int Execute(string configPath, string policyName, string certFile, string? chainFile, DateTimeOffset? at, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var time = new FixedTimeProvider(at ?? DateTimeOffset.UtcNow);
        var loaded = ValidateCommand.Load(configPath, time);
        if (!loaded.IsValid)
        {
            ValidateCommand.PrintErrors(configPath, loaded.Errors, output);
            return GatewayCommandLine.UsageError;
        }

        var snapshot = loaded.Snapshot!;
        if (!snapshot.Policies.TryGetValue(policyName, out var policy))
        {
            output.WriteLine($"--policy: '{policyName}' is not a policy; known: {string.Join(", ", snapshot.Policies.Keys.Order(StringComparer.Ordinal))}");
            return GatewayCommandLine.UsageError;
        }

        X509Certificate2 leaf;
        var presented = new X509Certificate2Collection();
        try
        {
            var all = LoadCertificates(certFile);
            leaf = all[0];
            for (var i = 1; i < all.Count; i++)
            {
                presented.Add(all[i]);
            }

            if (chainFile is not null)
            {
                presented.AddRange(LoadCertificates(chainFile));
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            output.WriteLine($"cannot read certificate: {ex.Message}");
            return GatewayCommandLine.UsageError;
        }

        // Online stores fetch their distribution points and ask OCSP responders here as the gateway would (and read its CrlCacheFolder).
        foreach (var store in policy.Partners.Select(p => p.TrustStore).Distinct().Where(s => s.Revocation == RevocationCheck.Online))
        {
            output.WriteLine($"trust store '{store.Name}' has Revocation Online: CRLs missing from CrlFiles are fetched from their distribution points, else OCSP responders are asked, now (within RevocationTimeout {Durations.Humanize(store.RevocationTimeout)})");
        }

        using var fetched = new FetchedCrls(time, Microsoft.Extensions.Logging.Abstractions.NullLogger<FetchedCrls>.Instance);
        var cache = new VerificationCache(new CertificateVerifier(fetched), time, fetched: fetched);
        var evaluator = new CertificatePolicyEvaluator(cache, new PresentedCertificateCache());
        var certificate = PresentedCertificate.Copy(leaf, presented);
        var verdict = evaluator.Evaluate(policy, certificate);
        var identity = certificate.Identity;
        output.WriteLine($"certificate: {identity.Subject} (issuer {identity.Issuer}, serial {identity.SerialNumber}, sha256 {identity.Sha256})");
        output.WriteLine(policy.SolePartner is { } sole
            ? $"policy: {policy.Name} ({policy.Mode}, trust store {sole.TrustStore.Name}), at {time.GetUtcNow():O}"
            : $"policy: {policy.Name} ({policy.Mode}, partners {string.Join(", ", policy.Partners.Select(p => $"{p.Name} (trust store {p.TrustStore.Name})"))}), at {time.GetUtcNow():O}");

        // The evaluator's verdicts came through this cache: asking again returns the same results, with their evidence.
        var decisive = verdict.Partner ?? policy.SolePartner;
        if (decisive is not null)
        {
            var verified = cache.GetOrVerify(certificate, decisive.TrustStore, out _);
            if (verified.SpiffeBundle is { } bundle)
            {
                output.WriteLine($"spiffe bundle: {bundle.Describe()}, {bundle.Authorities.Count} X.509 authorit{(bundle.Authorities.Count == 1 ? "y" : "ies")}");
            }

            foreach (var evidence in verified.Revocation)
            {
                output.WriteLine($"revocation of {evidence.Certificate}: {evidence.Describe(time.GetUtcNow())}");
            }
        }

        if (policy.SolePartner is null)
        {
            PrintPartners(policy, certificate, cache, output);
        }

        if (verdict.Admitted)
        {
            var by = policy.SolePartner is null ? $" as partner {verdict.Partner!.Name}" : string.Empty;
            output.WriteLine(verdict.Warning is null ? $"admitted{by}" : $"admitted{by}, with a warning: {verdict.Warning}");
            return GatewayCommandLine.Ok;
        }

        output.WriteLine($"refused: {verdict.Reason}");
        output.WriteLine($"hint: {verdict.Hint}");
        if (!string.IsNullOrEmpty(verdict.ChainStatus))
        {
            output.WriteLine($"chain status: {verdict.ChainStatus}");
        }

        return GatewayCommandLine.Refused;
    }

    /// <summary>What each partner says, on its own: the gateway tries only those whose store holds an issuer of the
    /// chain, and a partner it did not try is shown as such.</summary>
    private static void PrintPartners(GatewayPolicy policy, PresentedCertificate certificate, VerificationCache cache, TextWriter output)
    {
        foreach (var partner in policy.Partners)
        {
            var tried = policy.Candidates.Unindexed.Contains(partner)
                || certificate.IssuerKeys.Any(k => policy.Candidates.TryGet(k, out var partners) && partners.Contains(partner));
            var prefix = $"  partner {partner.Name} (trust store {partner.TrustStore.Name}): ";
            if (!tried)
            {
                output.WriteLine(prefix + "not tried: its trust store holds none of the certificate's issuers");
                continue;
            }

            var result = cache.GetOrVerify(certificate, partner.TrustStore, out _);
            output.WriteLine(prefix + (!result.IsValid
                ? $"refused: {result.Reason}: {result.Hint}"
                : partner.Allow.Admits(certificate.Identity)
                    ? "verified and allowed"
                    : $"verified, not allowed: {partner.Allow.DescribeMismatch(certificate.Identity, policy.Name, partner.Name)}"));
        }
    }

    private static X509Certificate2Collection LoadCertificates(string file)
    {
        if (!File.Exists(file))
        {
            throw new IOException($"file '{file}' does not exist");
        }

        if (!Configuration.SafeFile.TryRead(file, Configuration.FileLimit.Certificate, out var bytes, out var error))
        {
            throw new IOException($"'{file}' {error}");
        }

        var collection = new X509Certificate2Collection();
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            collection.ImportFromPem(text);
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificate(bytes));
        }

        return collection.Count > 0 ? collection : throw new InvalidDataException($"'{file}' holds no certificate");
    }
}
