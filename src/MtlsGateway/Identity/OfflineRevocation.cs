using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity.Revocation;

namespace MtlsGateway.Identity;

/// <summary>Checks a built chain against the store's CRL files: each certificate but the root against its issuer's CRL.</summary>
internal static class OfflineRevocation
{
    /// <summary>Null when every certificate is covered by a current CRL that does not list it.</summary>
    /// <param name="fetched">Online: where a certificate whose issuer has no CRL file is looked up next.</param>
    public static RevocationOutcome? Check(IReadOnlyList<X509Certificate2> chain, TrustStore store, DateTimeOffset at, FetchedCrls? fetched = null)
    {
        RevocationOutcome? unknown = null;
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var certificate = chain[i];
            var issuer = chain[i + 1];
            var crl = store.FindCrl(issuer);
            if (crl is null && fetched is not null)
            {
                // Online, after the files: the CRL its distribution points publish.
                switch (fetched.Check(certificate, isLeaf: i == 0, issuer, store, at))
                {
                    case { IsRevoked: true } revoked:
                        return revoked;
                    case { } unknownOnline:
                        unknown ??= unknownOnline;
                        break;
                }

                continue;
            }

            if (crl is null)
            {
                unknown ??= RevocationOutcome.Unknown(VerificationHints.NoCrl(issuer, store));
                continue;
            }

            // A listed serial stays revoked even in a stale list, so look before judging freshness.
            if (crl.TryGetRevocationDate(certificate.SerialNumber, out var revokedAt))
            {
                return RevocationOutcome.Revoked(VerificationHints.Revoked(certificate, isLeaf: i == 0, issuer, revokedAt));
            }

            if (crl.IsStale(at))
            {
                unknown ??= RevocationOutcome.Unknown(VerificationHints.StaleCrl(crl));
            }
        }

        return unknown;
    }
}
