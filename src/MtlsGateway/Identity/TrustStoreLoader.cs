using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Identity.Spiffe;

namespace MtlsGateway.Identity;

/// <summary>
/// Compiles <see cref="TrustStoreOptions"/> into a <see cref="TrustStore"/>, reading every file it names.
/// Reports every problem (never just the first) at its configuration path, worded as what to do.
/// </summary>
public static class TrustStoreLoader
{
    /// <summary>What a CA folder's files end in; every other file there is ignored (the reload watcher too).</summary>
    internal static readonly string[] CaExtensions = [".pem", ".crt", ".cer"];

    /// <summary>What a CRL folder's files end in; every other file there is ignored (the reload watcher too).</summary>
    internal static readonly string[] CrlExtensions = [".crl", ".pem", ".der"];

    /// <summary>Smallest and largest <c>MaxCrlSize</c> (bytes): 1 KiB to 1 GiB.</summary>
    private const long MinCrlSize = 1024;
    private const long MaxCrlSizeLimit = 1024L * 1024 * 1024;

    /// <summary>The compiled store, or null when anything about it is wrong (each problem is in <paramref name="errors"/>).</summary>
    public static TrustStore? Load(string name, TrustStoreOptions options, string baseDirectory, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var path = $"Gateway:TrustStores:{name}";
        var before = errors.Count;

        if (options.CaFiles.Count == 0 && options.Pins.Count == 0 && options.SpiffeBundles.Count == 0)
        {
            errors.Add(new ConfigError(path, "has neither CaFiles, SpiffeBundles nor Pins; add the CA certificates that issue your clients' certificates to CaFiles, the SPIFFE bundles of their trust domains to SpiffeBundles, or pin exact certificates in Pins"));
        }

        if (options.ClockSkew < TimeSpan.Zero)
        {
            errors.Add(new ConfigError($"{path}:ClockSkew", $"must not be negative (is {options.ClockSkew}); it widens the validity window on both ends, e.g. \"00:01:00\""));
        }

        if (options.RevocationTimeout <= TimeSpan.Zero || options.RevocationTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add(new ConfigError($"{path}:RevocationTimeout", $"must be more than 0 and at most 00:01:00 (is {options.RevocationTimeout}); it bounds how long the first handshake of a new issuer waits for its CRL, e.g. \"00:00:05\""));
        }

        if (options.MaxCrlSize is < MinCrlSize or > MaxCrlSizeLimit)
        {
            errors.Add(new ConfigError($"{path}:MaxCrlSize", $"must be between {MinCrlSize} and {MaxCrlSizeLimit} (is {options.MaxCrlSize}); it is in bytes; {FileLimit.DefaultMaxCrlBytes} (64 MiB) is the default"));
        }

        var requirements = LoadRequirements(options, path, errors);
        var pins = LoadPins(options.Pins, path, errors);
        var beforeCas = errors.Count;
        var (roots, intermediates) = LoadCas(options.CaFiles, path, baseDirectory, errors);
        var caFilesFailed = errors.Count > beforeCas;
        var bundles = LoadBundles(options.SpiffeBundles, path, baseDirectory, errors);
        var (crls, crlSources) = LoadCrls(name, options.CrlFiles, FileLimit.Crl(options.MaxCrlSize, path), path, baseDirectory,
            [.. roots, .. intermediates, .. bundles.SelectMany(b => b.Authorities)], errors);

        // A CaFiles entry that failed may be the root itself: its own error says what to fix, so no second one about it.
        if (!options.AllowPartialChain && !caFilesFailed && roots.Count == 0 && intermediates.Count > 0)
        {
            errors.Add(new ConfigError($"{path}:CaFiles", $"holds no root (self-signed) CA, so no chain can end in it; add the root that issued {CertificateFacts.Name(intermediates[0])}'s issuer {DistinguishedNames.Format(intermediates[0].IssuerName)}, or set AllowPartialChain to true to make the CAs in CaFiles trust anchors themselves"));
        }

        // A pins-only store has no CA to issue CRLs: removing the pin is its revocation.
        if (options.Revocation == RevocationCheck.Offline && options.CrlFiles.Count == 0 && (options.CaFiles.Count > 0 || options.SpiffeBundles.Count > 0))
        {
            errors.Add(new ConfigError($"{path}:Revocation", "is Offline but no CrlFiles are given; add the CA's CRL to CrlFiles or set Revocation to None (or Online)"));
        }

        if (options.CrlFiles.Count > 0 && options.CaFiles.Count == 0 && options.SpiffeBundles.Count == 0)
        {
            errors.Add(new ConfigError($"{path}:CrlFiles", "need the issuing CAs in CaFiles; a pins-only store has no CA whose CRL could be checked (remove the pin instead)"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        var cacheFolder = string.IsNullOrWhiteSpace(options.CrlCacheFolder) ? null : Path.GetFullPath(options.CrlCacheFolder, baseDirectory);
        TrustStore Compile(IEnumerable<X509Certificate2> anchorRoots, IEnumerable<X509Certificate2> anchorIntermediates, bool allowPartialChain, SpiffeTrust? spiffe, SpiffeBundle? bundle) =>
            new(name, anchorRoots, anchorIntermediates, crls, pins, options.Revocation, options.RevocationFailure, options.ClockSkew, requirements,
                allowPartialChain, crlSources, spiffe)
            {
                RevocationTimeout = options.RevocationTimeout,
                CrlCacheFolder = cacheFolder,
                MaxCrlSize = options.MaxCrlSize,
                Bundle = bundle,
            };

        // Every authority of a bundle is a trust anchor (SPIFFE Trust Domain and Bundle §4.2.1), self-signed or not.
        var spiffe = bundles.Count == 0
            ? null
            : new SpiffeTrust(bundles.Select(b => (b, Compile(
                b.Authorities.Where(CertificateFacts.IsSelfIssued), b.Authorities.Where(a => !CertificateFacts.IsSelfIssued(a)), allowPartialChain: true, null, b))));
        return Compile(roots, intermediates, options.AllowPartialChain, spiffe, bundle: null);
    }

    /// <summary>Each SpiffeBundles entry whose trust domain name and file are valid, read.</summary>
    private static List<SpiffeBundle> LoadBundles(Dictionary<string, string> entries, string path, string baseDirectory, ICollection<ConfigError> errors)
    {
        var bundles = new List<SpiffeBundle>();
        foreach (var (trustDomain, file) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var entryPath = $"{path}:SpiffeBundles:{trustDomain}";
            if (SpiffeId.TrustDomainKeyProblem(trustDomain) is { } problem)
            {
                errors.Add(new ConfigError(entryPath, problem));
            }
            else if (SpiffeBundleReader.Read(trustDomain, file, baseDirectory, entryPath, errors) is { } bundle)
            {
                bundles.Add(bundle);
            }
        }

        return bundles;
    }

    private static CertificateRequirements LoadRequirements(TrustStoreOptions options, string path, ICollection<ConfigError> errors)
    {
        void Range(int value, int min, int max, string key, string advice)
        {
            if (value < min || value > max)
            {
                errors.Add(new ConfigError($"{path}:{key}", $"must be between {min} and {max} (is {value}); {advice}"));
            }
        }

        Range(options.MinimumRsaKeySize, 1024, 16384, nameof(options.MinimumRsaKeySize), "it is in bits; 2048 is the safe default");
        Range(options.MinimumEcKeySize, 224, 521, nameof(options.MinimumEcKeySize), "it is in bits (P-256 is 256, P-384 384, P-521 521); 256 is the safe default");
        Range(options.MaxChainDepth, 0, 20, nameof(options.MaxChainDepth), "it counts the intermediate CAs between a client certificate and its root (nginx's ssl_verify_depth); 5 is the default");
        Range(options.MaxCertificateSize, 1024, 65535, nameof(options.MaxCertificateSize), "it is in bytes; the TLS layer refuses a certificate over 64 KiB before the gateway sees it; 16384 is the default");

        var algorithms = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.AllowedSignatureAlgorithms.Count; i++)
        {
            var entry = options.AllowedSignatureAlgorithms[i];
            if (SignatureAlgorithms.Normalize(entry) is { } algorithm)
            {
                algorithms.Add(algorithm);
            }
            else
            {
                errors.Add(new ConfigError($"{path}:AllowedSignatureAlgorithms:{i}", $"'{entry}' is not a signature algorithm; use one of {string.Join(", ", SignatureAlgorithms.KnownNames)}, or an OID"));
            }
        }

        return new CertificateRequirements
        {
            MinimumRsaKeySize = options.MinimumRsaKeySize,
            MinimumEcKeySize = options.MinimumEcKeySize,
            MaxChainDepth = options.MaxChainDepth,
            MaxCertificateSize = options.MaxCertificateSize,
            AllowedSignatureAlgorithms = algorithms.Count == 0
                ? CertificateRequirements.Default.AllowedSignatureAlgorithms
                : algorithms.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
        };
    }

    private static List<string> LoadPins(List<string> pins, string path, ICollection<ConfigError> errors)
    {
        var normalized = new List<string>();
        for (var i = 0; i < pins.Count; i++)
        {
            if (Fingerprints.TryNormalizeSha256(pins[i], out var pin))
            {
                normalized.Add(pin);
            }
            else
            {
                errors.Add(new ConfigError($"{path}:Pins:{i}", $"'{pins[i]}' is not a SHA-256 fingerprint; expected 64 hex digits (colons allowed), e.g. from 'openssl x509 -noout -fingerprint -sha256 -in client.crt'"));
            }
        }

        return normalized;
    }

    private static (List<X509Certificate2> Roots, List<X509Certificate2> Intermediates) LoadCas(
        List<string> caFiles, string path, string baseDirectory, ICollection<ConfigError> errors)
    {
        var roots = new List<X509Certificate2>();
        var intermediates = new List<X509Certificate2>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < caFiles.Count; i++)
        {
            var entryPath = $"{path}:CaFiles:{i}";
            foreach (var file in ExpandEntry(caFiles[i], CaExtensions, "CA certificate", entryPath, baseDirectory, errors))
            {
                foreach (var certificate in ReadCertificates(file, caFiles[i], entryPath, errors))
                {
                    if (!CertificateFacts.IsCertificateAuthority(certificate))
                    {
                        errors.Add(new ConfigError(entryPath, $"'{Display(file, caFiles[i])}' holds {CertificateFacts.Name(certificate)}, which is not a CA certificate (basic constraints CA=false); client certificates belong in Pins (SHA-256 {Fingerprints.Sha256(certificate)})"));
                    }
                    else if (seen.Add(Fingerprints.Sha256(certificate)))
                    {
                        (CertificateFacts.IsSelfIssued(certificate) ? roots : intermediates).Add(certificate);
                    }
                }
            }
        }

        return (roots, intermediates);
    }

    /// <summary>Every CRL of CrlFiles with the entry it came from: bound to the store's CA of its issuer name, or kept unbound
    /// when the store holds no CA of that name (it waits for a client to present its issuer, see <see cref="CrlIndex"/>).</summary>
    private static (List<RevocationList> Crls, List<string> Sources) LoadCrls(
        string storeName, List<string> crlFiles, FileLimit limit, string path, string baseDirectory, List<X509Certificate2> cas, ICollection<ConfigError> errors)
    {
        var crls = new List<RevocationList>();
        var sources = new List<string>();
        for (var i = 0; i < crlFiles.Count; i++)
        {
            var entryPath = $"{path}:CrlFiles:{i}";
            foreach (var file in ExpandEntry(crlFiles[i], CrlExtensions, "CRL", entryPath, baseDirectory, errors))
            {
                var shown = Display(file, crlFiles[i]);
                if (ReadBytes(file, shown, limit, entryPath, errors) is not { } bytes)
                {
                    continue;
                }

                RevocationList crl;
                try
                {
                    crl = RevocationList.Parse(bytes);
                }
                catch (UnsupportedCrlException e)
                {
                    errors.Add(new ConfigError(entryPath, $"CRL '{shown}' is refused: {e.Message}"));
                    continue;
                }
                catch (FormatException e)
                {
                    errors.Add(new ConfigError(entryPath, $"'{shown}' does not parse as a CRL: {e.Message}; expected PEM (-----BEGIN X509 CRL-----) or DER, e.g. from 'openssl ca -gencrl'"));
                    continue;
                }

                if (Bind(crl, cas, storeName, shown, out var message) is { } bound)
                {
                    crls.Add(bound);
                    sources.Add(shown);
                }
                else
                {
                    errors.Add(new ConfigError(entryPath, message));
                }
            }
        }

        return (crls, sources);
    }

    /// <summary>
    /// The CRL bound to the CA of the store that signed it; the CRL itself (unbound) when no CA of the store has its
    /// issuer name; null, explaining why, when CAs of that name exist but none of their keys signed it.
    /// </summary>
    private static RevocationList? Bind(RevocationList crl, List<X509Certificate2> cas, string storeName, string shown, out string message)
    {
        var issuer = DistinguishedNames.Format(crl.Issuer);
        var statuses = cas.Select(ca => (Ca: ca, Status: crl.CheckSignature(ca))).ToList();
        message = string.Empty;
        if (statuses.FirstOrDefault(s => s.Status == CrlSignatureStatus.Valid).Ca is { } signer)
        {
            return crl.BoundTo(signer);
        }

        var named = statuses.Where(s => s.Status != CrlSignatureStatus.IssuerMismatch).Select(s => s.Status).ToList();
        if (named.Count == 0)
        {
            return crl; // an intermediate the clients send: verified against its key when a verified chain presents it
        }

        message = named switch
        {
            _ when named.Contains(CrlSignatureStatus.NotCrlSigner) => $"CRL '{shown}' is signed by CA {issuer}, whose key usage lacks cRLSign; reissue the CA with cRLSign or have the CRL signed by a CA that has it",
            _ when named.All(s => s == CrlSignatureStatus.UnsupportedAlgorithm) => $"CRL '{shown}' uses signature algorithm {crl.SignatureAlgorithm}, which the gateway does not verify; sign CRLs with ECDSA or RSA (PKCS#1 v1.5 or PSS) over SHA-256/384/512",
            _ => $"CRL '{shown}' is not signed by any CA in trust store '{storeName}' (its signature does not verify with the key of {issuer}); the file is corrupt or was signed by another key — fetch it again from the CA",
        };
        return null;
    }

    /// <summary>A file, or every file with one of <paramref name="extensions"/> directly inside a folder.</summary>
    private static List<string> ExpandEntry(
        string? entry, string[] extensions, string what, string entryPath, string baseDirectory, ICollection<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            errors.Add(new ConfigError(entryPath, $"is empty; name a {what} file or a folder of them (relative to the config file's folder, or absolute)"));
            return [];
        }

        var full = ConfigFiles.Resolve(baseDirectory, entry);
        if (File.Exists(full))
        {
            return [full];
        }

        if (!Directory.Exists(full))
        {
            errors.Add(new ConfigError(entryPath, $"file '{entry}' does not exist (resolved to '{full}')"));
            return [];
        }

        var files = ConfigFiles.FolderEntries(full, extensions, out var listError);
        if (files is null)
        {
            errors.Add(new ConfigError(entryPath, $"folder '{entry}' (resolved to '{full}') cannot be listed: {listError}; check its permissions for the gateway's user"));
            return [];
        }

        if (files.Count == 0)
        {
            errors.Add(new ConfigError(entryPath, $"folder '{entry}' (resolved to '{full}') holds no {string.Join(", ", extensions.Select(e => "*" + e))} files"));
        }

        return files;
    }

    private static List<X509Certificate2> ReadCertificates(string file, string entry, string entryPath, ICollection<ConfigError> errors)
    {
        var shown = Display(file, entry);
        if (ReadBytes(file, shown, FileLimit.Ca, entryPath, errors) is not { } bytes)
        {
            return [];
        }

        try
        {
            if (bytes.Length > 0 && bytes[0] == 0x30)
            {
                return [X509CertificateLoader.LoadCertificate(bytes)];
            }

            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
            if (collection.Count > 0)
            {
                return [.. collection];
            }
        }
        catch (CryptographicException e)
        {
            errors.Add(new ConfigError(entryPath, $"'{shown}' holds a certificate that does not parse ({e.Message}); replace it with the CA's PEM certificate"));
            return [];
        }

        errors.Add(new ConfigError(entryPath, $"'{shown}' holds no certificate; expected PEM (-----BEGIN CERTIFICATE-----) or DER"));
        return [];
    }

    private static byte[]? ReadBytes(string file, string shown, FileLimit limit, string entryPath, ICollection<ConfigError> errors)
    {
        if (SafeFile.TryRead(file, limit, out var bytes, out var error))
        {
            return bytes;
        }

        errors.Add(new ConfigError(entryPath, $"'{shown}' {error}"));
        return null;
    }

    /// <summary>The configured entry, or for a file found in a configured folder, entry/file.</summary>
    private static string Display(string file, string entry) =>
        Path.GetFileName(file) == Path.GetFileName(entry) ? entry : Path.Combine(entry, Path.GetFileName(file));
}
