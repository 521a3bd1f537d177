using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;

namespace MtlsGateway.Identity;

/// <summary>
/// A trust store's strength rules for client chains: key sizes, signature algorithms, chain depth and certificate size.
/// The platform checks none of them on Linux (an MD5-signed leaf under an RSA-1024 CA builds a valid chain), so the
/// verifier applies them itself and the handshake, the request check and <c>mtls-gateway check</c> agree.
/// </summary>
public sealed record CertificateRequirements
{
    private const string RsaKeyOid = "1.2.840.113549.1.1.1";
    private const string EcKeyOid = "1.2.840.10045.2.1";

    public static CertificateRequirements Default { get; } = new();

    public int MinimumRsaKeySize { get; init; } = 2048;

    public int MinimumEcKeySize { get; init; } = 256;

    /// <summary>Canonical names (see <see cref="SignatureAlgorithms"/>) or OIDs; compared ignoring case.</summary>
    public IReadOnlySet<string> AllowedSignatureAlgorithms { get; init; } =
        SignatureAlgorithms.Defaults.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Most intermediate CA certificates between the leaf and the trust anchor.</summary>
    public int MaxChainDepth { get; init; } = 5;

    /// <summary>Largest DER size, in bytes, of a certificate the client sends.</summary>
    public int MaxCertificateSize { get; init; } = 16 * 1024;

    /// <summary>The settings as text, for the trust store's fingerprint (a change must miss the verdict cache).</summary>
    internal string Describe() =>
        $"{MinimumRsaKeySize}|{MinimumEcKeySize}|{MaxChainDepth}|{MaxCertificateSize}|{string.Join(',', AllowedSignatureAlgorithms.Order(StringComparer.OrdinalIgnoreCase))}";

    /// <summary>Refuses an oversized certificate before any parsing work is spent on its chain.</summary>
    internal VerificationResult? CheckSizes(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, string storeName)
    {
        var sent = presentedExtra is null ? [leaf] : presentedExtra.Prepend(leaf);
        var oversized = sent.FirstOrDefault(c => c.RawDataMemory.Length > MaxCertificateSize);
        return oversized is null
            ? null
            : VerificationResult.Reject(RejectReason.BadSignature, VerificationHints.TooLarge(oversized, ReferenceEquals(oversized, leaf), MaxCertificateSize, storeName));
    }

    /// <summary>
    /// Checks a chain that reached a trust anchor (<paramref name="elements"/>: leaf first, anchor last): its depth, then
    /// per certificate from the leaf up the signature algorithm (not the anchor's self-signature, which proves nothing)
    /// and the key size (the anchor's too: it signs the first intermediate).
    /// </summary>
    internal VerificationResult? CheckChain(IReadOnlyList<X509Certificate2> elements, string storeName)
    {
        var anchorIndex = elements.Count - 1;
        var intermediates = Math.Max(0, elements.Count - 2);
        if (intermediates > MaxChainDepth)
        {
            return VerificationResult.Reject(RejectReason.UntrustedIssuer, VerificationHints.ChainTooDeep(elements[0], elements[^1], intermediates, MaxChainDepth, storeName));
        }

        for (var i = 0; i < elements.Count; i++)
        {
            var certificate = elements[i];
            var isAnchor = i == anchorIndex && CertificateFacts.IsSelfIssued(certificate);
            if (!isAnchor && SignatureAlgorithms.NameOf(certificate) is var algorithm && !IsAllowed(certificate, algorithm))
            {
                return VerificationResult.Reject(RejectReason.BadSignature, VerificationHints.SignatureNotAllowed(certificate, i, isAnchor, algorithm, this, storeName));
            }

            if (KeyOf(certificate) is { } key && key.Bits < (key.Kind == "RSA" ? MinimumRsaKeySize : MinimumEcKeySize))
            {
                var setting = key.Kind == "RSA" ? (nameof(MinimumRsaKeySize), MinimumRsaKeySize) : (nameof(MinimumEcKeySize), MinimumEcKeySize);
                return VerificationResult.Reject(RejectReason.BadSignature, VerificationHints.KeyTooSmall(certificate, i, isAnchor, key.Kind, key.Bits, setting.Item1, setting.Item2, storeName));
            }
        }

        return null;
    }

    private bool IsAllowed(X509Certificate2 certificate, string algorithm) =>
        AllowedSignatureAlgorithms.Contains(algorithm)
        || (certificate.SignatureAlgorithm.Value is { } oid && oid != SignatureAlgorithms.RsaPssOid && AllowedSignatureAlgorithms.Contains(oid));

    private static (string Kind, int Bits)? KeyOf(X509Certificate2 certificate)
    {
        try
        {
            switch (certificate.PublicKey.Oid.Value)
            {
                case RsaKeyOid or SignatureAlgorithms.RsaPssOid:
                    using (var rsa = certificate.GetRSAPublicKey())
                    {
                        return rsa is null ? null : ("RSA", rsa.KeySize);
                    }

                case EcKeyOid:
                    using (var ec = certificate.GetECDsaPublicKey())
                    {
                        return ec is null ? null : ("EC", ec.KeySize);
                    }

                default:
                    return null;
            }
        }
        catch (CryptographicException)
        {
            // A key the platform cannot read also failed the chain build; nothing to measure here.
            return null;
        }
    }
}
