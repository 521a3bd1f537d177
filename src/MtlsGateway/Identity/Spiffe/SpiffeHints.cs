using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>The sentences that tell ops what to fix about an X509-SVID or a trust domain's bundle.</summary>
internal static class SpiffeHints
{
    public static string SeveralUris(X509Certificate2 leaf, IReadOnlyList<string> uris) =>
        $"{CertificateFacts.Name(leaf)} carries {uris.Count} URI SANs ({RefusalFieldCaps.List([.. uris], ", ")}); an X509-SVID carries exactly one, its SPIFFE ID (SPIFFE X509-SVID §2), so this is not a valid SVID — have the workload's SVID issued with its SPIFFE ID as its only URI SAN";

    public static string MalformedId(string uri, string problem) =>
        $"URI SAN '{RefusalFieldCaps.Truncate(uri)}' is not a valid SPIFFE ID: it {problem}; the certificate is not a valid X509-SVID — have it reissued with a well-formed ID such as spiffe://example.org/workload";

    public static string SvidIsCa(X509Certificate2 leaf, SpiffeId id) =>
        $"X509-SVID {id} ({CertificateFacts.Name(leaf)}) is a CA certificate (basic constraints CA=true); a leaf SVID must have CA=false (SPIFFE X509-SVID §4.1) — the workload must present its own leaf SVID, not a signing certificate";

    public static string SvidSigns(X509Certificate2 leaf, SpiffeId id, X509KeyUsageFlags usage)
    {
        var flags = new[] { (X509KeyUsageFlags.KeyCertSign, "keyCertSign"), (X509KeyUsageFlags.CrlSign, "cRLSign") }
            .Where(f => usage.HasFlag(f.Item1)).Select(f => f.Item2);
        return $"X509-SVID {id} ({CertificateFacts.Name(leaf)}) has key usage {string.Join(" and ", flags)}, which a leaf SVID must not have (SPIFFE X509-SVID §4.3) — have it reissued without";
    }

    public static string NoBundle(SpiffeId id, TrustStore store, SpiffeTrust spiffe) =>
        $"SPIFFE ID {RefusalFieldCaps.Truncate(id.ToString())} is in trust domain '{id.TrustDomain}', which has no bundle in trust store '{store.Name}' (SpiffeBundles: {spiffe.DomainList}); if that trust domain should be trusted, add \"{id.TrustDomain}\": \"<its bundle file>\" to Gateway:TrustStores:{store.Name}:SpiffeBundles";

    public static string ForeignIssuer(SpiffeId id, SpiffeBundle bundle, X500DistinguishedName issuer, string owner) =>
        $"SPIFFE ID {RefusalFieldCaps.Truncate(id.ToString())} is in {bundle.Describe()}, but its issuer {DistinguishedNames.Format(issuer)} is a CA of {owner}; an SVID is verified only against its own trust domain's bundle, so one trust domain cannot issue another's IDs — the SVID comes from the wrong CA or names the wrong trust domain";

    public static string NotAnSvid(X509Certificate2 leaf, TrustStore store, SpiffeTrust spiffe) =>
        $"{CertificateFacts.Name(leaf)} has no spiffe:// URI SAN, and trust store '{store.Name}' has no CaFiles: it trusts only the SPIFFE bundles of {spiffe.DomainList}; present an X509-SVID of one of them, or add the CA that issued this certificate to CaFiles";

    /// <summary>"the SPIFFE bundle of trust domain 'a.test' (bundle 'a.json', sequence 3) of trust store 'partners'".</summary>
    public static string Where(SpiffeBundle bundle, TrustStore store) =>
        $"the SPIFFE bundle of {bundle.Describe()} in trust store '{store.Name}'";

    public static string UntrustedRoot(X509Certificate2 top, SpiffeBundle bundle, TrustStore store) =>
        $"issuer {CertificateFacts.Name(top)} is not in {Where(bundle, store)}; if the trust domain rotated its CA, replace the bundle file with its current bundle";

    public static string MissingIssuer(X509Certificate2 top, SpiffeBundle bundle, TrustStore store) =>
        $"issuer {DistinguishedNames.Format(top.IssuerName)} was not sent by the client nor found in {Where(bundle, store)}; if the trust domain rotated its CA, replace the bundle file with its current bundle, if it is an intermediate have the workload send its chain, otherwise the SVID was not issued by trust domain '{bundle.TrustDomain}'";

    public static string IssuerKeyMismatch(X509Certificate2 top, SpiffeBundle bundle, TrustStore store) =>
        $"issuer {DistinguishedNames.Format(top.IssuerName)} is in {Where(bundle, store)} but its key did not sign {CertificateFacts.Name(top)}; forged, or the trust domain re-keyed its CA and the bundle file is older — replace it with the current bundle";

    public static string SelfSigned(X509Certificate2 leaf, SpiffeBundle bundle, TrustStore store) =>
        $"X509-SVID {CertificateFacts.Name(leaf)} is self-signed; an SVID must be issued by a CA in {Where(bundle, store)}";
}
