using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Policies;

/// <summary>
/// A connection's computed identity headers, one set per policy its requests were admitted under (usually one).
/// HTTP/2 runs requests of one connection concurrently, so the list is copy-on-write: readers never lock, and a
/// race at worst computes a set twice.
/// </summary>
internal sealed class IdentityHeaderCache
{
    // A connection outliving many reloads meets a new policy instance per reload; keep the newest few.
    private const int MaxEntries = 4;

    private IdentityHeaderSet[] _sets = [];

    public IdentityHeaderSet GetOrCreate(GatewayPolicy policy, IdentityHeaderNames names, X509Certificate2? certificate, Identity.CertificateIdentity? identity)
    {
        var sets = Volatile.Read(ref _sets);
        foreach (var set in sets)
        {
            if (ReferenceEquals(set.Policy, policy) && ReferenceEquals(set.Certificate, certificate))
            {
                return set;
            }
        }

        var created = IdentityHeaderSet.Create(policy, names, certificate, identity);
        var next = sets.Length < MaxEntries ? [.. sets, created] : (IdentityHeaderSet[])[.. sets[1..], created];
        Volatile.Write(ref _sets, next);
        return created;
    }
}
