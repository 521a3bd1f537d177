using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// A trust store's CRLs by issuer. A CRL of a CA the store holds was verified (bound) when the store loaded; any other
/// CRL waits for a presented issuer: the first time a verified chain shows a CA of its issuer name, the CRL's signature
/// is checked against that CA's key and the verdict kept per (CRL, key SHA-256). The store is immutable per config
/// version, so the cache lives and dies with it.
/// </summary>
internal sealed class CrlIndex
{
    // Only keys of CAs that verified to an anchor reach the cache, so a handful in practice; the bound stops a
    // misbehaving anchor from growing it without limit (past it, verdicts are computed and not kept).
    private const int MaxBindings = 1024;

    private readonly IReadOnlyList<RevocationList> _crls;
    private readonly IReadOnlyList<string> _sources;
    private readonly ConcurrentDictionary<(int Crl, string KeySha256), Binding> _bindings = new();

    public CrlIndex(IReadOnlyList<RevocationList> crls, IReadOnlyList<string> sources)
    {
        _crls = crls;
        _sources = sources;
    }

    /// <summary>How many (CRL, issuer key) verdicts are cached.</summary>
    public int BindingCount => _bindings.Count;

    public CrlLookup Find(X509Certificate2 issuer)
    {
        RevocationList? best = null;
        string? source = null;
        List<CrlRejection>? rejected = null;
        string? keyHash = null;
        for (var i = 0; i < _crls.Count; i++)
        {
            var crl = _crls[i];
            if (!crl.Issuer.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                continue;
            }

            keyHash ??= Fingerprints.PublicKeySha256(issuer);
            var binding = crl.Signer is null
                ? Bind(i, issuer, keyHash)
                : new Binding(crl.SignerKeySha256 == keyHash ? CrlSignatureStatus.Valid : CrlSignatureStatus.BadSignature, crl);
            if (binding.Status != CrlSignatureStatus.Valid)
            {
                (rejected ??= []).Add(new CrlRejection(_sources[i], binding.Status));
            }
            else if (best is null || crl.ThisUpdate > best.ThisUpdate)
            {
                best = binding.Crl;
                source = _sources[i];
            }
        }

        return new CrlLookup(best, source, rejected ?? []);
    }

    private Binding Bind(int index, X509Certificate2 issuer, string keyHash)
    {
        var key = (index, keyHash);
        if (_bindings.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var crl = _crls[index];
        var status = crl.CheckSignature(issuer);
        // A copy: the chain's own element is disposed when its verification ends, the binding outlives it.
        var binding = new Binding(status, status == CrlSignatureStatus.Valid ? crl.BoundTo(X509CertificateLoader.LoadCertificate(issuer.RawData)) : null);
        if (_bindings.Count < MaxBindings)
        {
            _bindings.TryAdd(key, binding);
        }

        return binding;
    }

    private sealed record Binding(CrlSignatureStatus Status, RevocationList? Crl);
}
