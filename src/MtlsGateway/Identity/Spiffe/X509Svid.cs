using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// The X509-SVID rules (SPIFFE X509-SVID §2, §4, as go-spiffe applies them) for a client certificate of a trust store
/// with SpiffeBundles, and the choice of the bundle its SPIFFE ID's trust domain names. A certificate with no
/// <c>spiffe:</c> URI SAN is not an SVID and is left to the store's CaFiles or Pins.
/// </summary>
/// <remarks>
/// Reasons: a certificate that is no valid X509-SVID (several URI SANs, a malformed SPIFFE ID, CA=true, keyCertSign or
/// cRLSign) reads <see cref="RejectReason.WrongUsage"/>: it may not be used as an SVID whoever issued it. A trust domain
/// without a bundle, and an SVID whose issuer belongs to another trust domain's bundle (or to CaFiles), read
/// <see cref="RejectReason.UntrustedIssuer"/>. Everything else is the chain verdict against the bundle.
/// </remarks>
internal static class X509Svid
{
    /// <summary>What to do with a certificate claiming a SPIFFE ID: refuse it now, or verify it against a bundle.</summary>
    internal sealed record Selection(VerificationResult? Refusal, SpiffeId? Id, SpiffeBundle? Bundle, TrustStore? Store);

    /// <summary>Null when <paramref name="leaf"/> has no spiffe: URI SAN (not an SVID).</summary>
    public static Selection? Select(X509Certificate2 leaf, TrustStore store, SpiffeTrust spiffe)
    {
        var (_, uris) = SubjectAltNames.Read(leaf);
        if (!uris.Any(SpiffeId.Claims))
        {
            return null;
        }

        if (uris.Count != 1)
        {
            return Refuse(RejectReason.WrongUsage, SpiffeHints.SeveralUris(leaf, uris));
        }

        if (!SpiffeId.TryParse(uris[0], out var id, out var problem))
        {
            return Refuse(RejectReason.WrongUsage, SpiffeHints.MalformedId(uris[0], problem));
        }

        if (CertificateFacts.IsCertificateAuthority(leaf))
        {
            return Refuse(RejectReason.WrongUsage, SpiffeHints.SvidIsCa(leaf, id));
        }

        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages ?? X509KeyUsageFlags.None;
        if ((usage & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0)
        {
            return Refuse(RejectReason.WrongUsage, SpiffeHints.SvidSigns(leaf, id, usage));
        }

        return spiffe.Find(id.TrustDomain) is { } domain
            ? new Selection(null, id, domain.Bundle, domain.Store)
            : Refuse(RejectReason.UntrustedIssuer, SpiffeHints.NoBundle(id, store, spiffe));
    }

    /// <summary>
    /// The chain verdict against the bundle, noting the bundle used; a chain that did not reach the bundle because its
    /// issuer is another trust domain's CA (or one of CaFiles) is said to be so.
    /// </summary>
    public static VerificationResult Conclude(VerificationResult verdict, Selection svid, X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, SpiffeTrust spiffe)
    {
        var bundle = svid.Bundle!;
        if (verdict.Reason is RejectReason.PartialChain or RejectReason.UntrustedIssuer)
        {
            var issuer = TopIssuer(leaf, presentedExtra);
            if (!SpiffeTrust.Holds(bundle, issuer))
            {
                var owner = spiffe.HoldingSubject(issuer, bundle) is { } other
                    ? $"the bundle of {other.Describe()}"
                    : store.HoldsSubject(issuer) ? $"CaFiles of trust store '{store.Name}'" : null;
                if (owner is not null)
                {
                    verdict = VerificationResult.Reject(RejectReason.UntrustedIssuer, SpiffeHints.ForeignIssuer(svid.Id!, bundle, issuer, owner), verdict.ChainStatus);
                }
            }
        }

        return verdict with { SpiffeBundle = bundle };
    }

    /// <summary>The issuer name above the chain the client sent: the leaf's issuer, followed up through the sent CAs.</summary>
    private static X500DistinguishedName TopIssuer(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra)
    {
        var name = leaf.IssuerName;
        for (var step = 0; presentedExtra is not null && step < presentedExtra.Count; step++)
        {
            var parent = presentedExtra.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(name.RawData) && !CertificateFacts.IsSelfIssued(c));
            if (parent is null)
            {
                break;
            }

            name = parent.IssuerName;
        }

        return name;
    }

    private static Selection Refuse(RejectReason reason, string hint) => new(VerificationResult.Reject(reason, hint), null, null, null);
}
