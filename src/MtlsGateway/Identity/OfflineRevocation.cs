using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Identity;

/// <summary>
/// Checks a built chain against the store's CRL files: each certificate but the anchor against its issuer's CRL. The
/// issuer may be a CA of the store or one the client sent: the chain reached an anchor, so its key is vouched for, and
/// a CRL is used only if that key signed it. The anchor itself is not checked (RFC 5280 6.1: a trust anchor is
/// trusted input; remove it from CaFiles to revoke it).
/// </summary>
internal static class OfflineRevocation
{
    /// <summary>Null when every certificate is covered by a current CRL that does not list it.</summary>
    /// <param name="chain">Leaf first, anchor last.</param>
    /// <param name="store">The store whose CRLs apply.</param>
    /// <param name="at">The instant judged.</param>
    /// <param name="fetched">Online: where a certificate whose issuer has no CRL file is looked up next.</param>
    /// <param name="evidence">Receives, for each certificate checked, the CRL that decided it.</param>
    public static RevocationOutcome? Check(IReadOnlyList<X509Certificate2> chain, TrustStore store, DateTimeOffset at, ICollection<RevocationEvidence>? evidence = null, FetchedCrls? fetched = null)
    {
        RevocationOutcome? unknown = null;
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var certificate = chain[i];
            var issuer = chain[i + 1];
            var lookup = store.LookupCrl(issuer);
            if (lookup.Crl is null && fetched is not null)
            {
                // Online, after the files: the CRL its distribution points publish, else its OCSP responder.
                switch (fetched.Check(certificate, isLeaf: i == 0, issuer, store, at, evidence))
                {
                    case { IsRevoked: true } revoked:
                        return revoked;
                    case { } unknownOnline:
                        unknown ??= unknownOnline;
                        break;
                }

                continue;
            }

            if (lookup.Crl is not { } crl)
            {
                unknown ??= RevocationOutcome.Unknown(lookup.Rejected.Count == 0
                    ? VerificationHints.NoCrl(issuer, store)
                    : VerificationHints.CrlNotSignedByIssuer(issuer, lookup.Rejected[0], isStoreCa: store.HoldsSubject(issuer.SubjectName)));
                continue;
            }

            // Scope (IDP), listing, thisUpdate and nextUpdate: RevocationList.Check (a listed serial stays revoked in a stale list).
            var outcome = crl.Check(certificate, issuer, isLeaf: i == 0, at, store.ClockSkew);
            evidence?.Add(new RevocationEvidence(CertificateFacts.Name(certificate), CertificateFacts.Name(issuer), lookup.Source!, crl.ThisUpdate, crl.NextUpdate, outcome is { IsRevoked: true }));
            switch (outcome)
            {
                case { IsRevoked: true } revoked:
                    return revoked;
                case { } notEstablished:
                    unknown ??= notEstablished;
                    break;
            }
        }

        return unknown;
    }
}
