using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

namespace MtlsGateway.Upstreams;

/// <summary>
/// Verifies a backend's server certificate against a named trust store: the chain must end in one of the store's
/// roots (not the OS store), carry serverAuth usage, be valid now, not be revoked by the store's CRLs (when its
/// Revocation is Offline) and name the destination host. This is not the client-certificate verifier, which
/// demands clientAuth.
/// </summary>
internal static class UpstreamCertificateValidator
{
    /// <summary>Null when the certificate is acceptable; else why not.</summary>
    public static UpstreamCertificateVerdict? Verify(
        X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, TrustStore store, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (certificate is null)
        {
            return new("NoCertificate", "the backend sent no server certificate");
        }

        // SslStream computes the name check independently of trust: keep it, ignore its system-store chain verdict.
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = SubjectAltNames.Read(certificate).DnsNames;
            return new("NameMismatch",
                $"the backend's certificate {CertificateFacts.Name(certificate)} names {(names.Count == 0 ? "no DNS name" : string.Join(", ", names))}, not the destination host; fix the cluster's destination Address (or its Host) or the backend's certificate");
        }

        if (store.IsPinsOnly)
        {
            return store.Pins.Contains(Fingerprints.Sha256(certificate))
                ? null
                : new("NotPinned", $"SHA-256 {Fingerprints.Sha256(certificate)} of {CertificateFacts.Name(certificate)} is not in trust store '{store.Name}' Pins");
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(store.RootCollection);
        policy.ExtraStore.AddRange(store.IntermediateCollection);
        if (presented is not null)
        {
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(Oids.ServerAuth));
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        try
        {
            if (!chain.Build(certificate))
            {
                var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
                var reason = ChainStatusMapper.Classify(flags)?.ToString() ?? "UntrustedIssuer";
                return new(reason,
                    $"the backend's certificate {CertificateFacts.Name(certificate)} (issuer {DistinguishedNames.Format(certificate.IssuerName)}) does not verify against trust store '{store.Name}': {ChainStatusMapper.Describe(flags)}; add its CA to that store's CaFiles, or renew the backend's certificate",
                    ChainStatusMapper.Describe(flags));
            }

            if (store.Revocation == Configuration.RevocationCheck.Offline
                && OfflineRevocation.Check([.. chain.ChainElements.Select(e => e.Certificate)], store, now) is { } revocation
                && (revocation.IsRevoked || store.RevocationFailure == Configuration.RevocationFailureAction.Deny))
            {
                return new(revocation.IsRevoked ? "Revoked" : "RevocationUnknown", revocation.Hint);
            }

            return null;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    /// <summary>Why SslStream refused a certificate against the OS store (when no trust store is named).</summary>
    public static UpstreamCertificateVerdict Describe(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return new("NoCertificate", "the backend sent no server certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return new("NameMismatch", $"the backend's certificate {CertificateFacts.Name(certificate)} does not name the destination host; fix the cluster's destination Address or the backend's certificate");
        }

        var flags = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        return new(ChainStatusMapper.Classify(flags)?.ToString() ?? "UntrustedIssuer",
            $"the backend's certificate {CertificateFacts.Name(certificate)} does not verify against the operating system's trust store: {ChainStatusMapper.Describe(flags)}; name a trust store holding its CA in Gateway:Upstreams, or install the CA in the OS store",
            ChainStatusMapper.Describe(flags));
    }
}
