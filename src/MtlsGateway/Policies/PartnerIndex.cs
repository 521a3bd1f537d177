using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Which partners of a policy can possibly verify a certificate, found without building a chain: a chain reaches a
/// store's CA only through an issuer name equal to that CA's subject, so the partners worth a chain build are those
/// whose store holds a CA named as the issuer of the leaf or of a certificate the client sent. A store without CAs
/// (pins only) cannot be indexed and is always a candidate.
/// </summary>
/// <remarks>Keys are the RFC 4514 form without whitespace, compared ignoring case, as OpenSSL compares names
/// (canonical: case and spacing folded): a key may select a store that then fails, never miss one that would verify.</remarks>
public sealed class PartnerIndex
{
    private readonly FrozenDictionary<string, PolicyPartner[]> _bySubject;

    public PartnerIndex(IReadOnlyList<PolicyPartner> partners)
    {
        ArgumentNullException.ThrowIfNull(partners);
        var bySubject = new Dictionary<string, List<PolicyPartner>>(StringComparer.OrdinalIgnoreCase);
        var unindexed = new List<PolicyPartner>();
        foreach (var partner in partners)
        {
            var cas = partner.TrustStore.Roots.Concat(partner.TrustStore.Intermediates).ToList();
            if (cas.Count == 0)
            {
                unindexed.Add(partner);
            }

            foreach (var ca in cas)
            {
                var list = bySubject.TryGetValue(DistinguishedNames.LookupKey(ca.SubjectName), out var found) ? found : bySubject[DistinguishedNames.LookupKey(ca.SubjectName)] = [];
                if (!list.Contains(partner))
                {
                    list.Add(partner);
                }
            }
        }

        _bySubject = bySubject.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        Unindexed = [.. unindexed];
    }

    /// <summary>Partners whose store has no CA to index (pins only): tried for every certificate. An array: enumerated
    /// on every handshake without allocating.</summary>
    internal PolicyPartner[] Unindexed { get; }

    /// <summary>The partners whose store holds a CA with subject <paramref name="issuerKey"/> (a <see cref="Key"/>), in policy order.</summary>
    public bool TryGet(string issuerKey, out PolicyPartner[] partners) => _bySubject.TryGetValue(issuerKey, out partners!);

}
