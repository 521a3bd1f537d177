using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>Checks a built chain against the store's CRL files: each certificate but the root against its issuer's CRL.</summary>
internal static class OfflineRevocation
{
    /// <summary>Null when every certificate is covered by a current CRL that does not list it.</summary>
    public static RevocationOutcome? Check(IReadOnlyList<X509Certificate2> chain, TrustStore store, DateTimeOffset at)
    {
        RevocationOutcome? unknown = null;
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var certificate = chain[i];
            var issuer = chain[i + 1];
            var crl = store.FindCrl(issuer);
            if (crl is null)
            {
                unknown ??= RevocationOutcome.Unknown(VerificationHints.NoCrl(issuer, store));
                continue;
            }

            // Scope (IDP), listing, thisUpdate and nextUpdate: RevocationList.Check.
            switch (crl.Check(certificate, issuer, isLeaf: i == 0, at, store.ClockSkew))
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
