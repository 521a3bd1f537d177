using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Identity.Spiffe;
using MtlsGateway.Pki;

namespace MtlsGateway.Identity;

/// <summary>
/// Verifies a client certificate against a <see cref="TrustStore"/> at a given instant: one code path for
/// the handshake callback, the request check and <c>mtls-gateway check --at</c>.
/// </summary>
/// <remarks>
/// <para>Pins: a store with Pins and no CaFiles admits exactly the pinned certificates (validity and
/// clientAuth usage still apply, no chain is built, revocation is not checked — unpinning revokes).
/// A store with CaFiles AND Pins requires both: the chain must verify and the leaf must be pinned.
/// A pin mismatch reads <see cref="RejectReason.UntrustedIssuer"/> with a hint naming the SHA-256.</para>
/// <para>Validity: the chain is told to ignore time and every element is checked here against
/// <c>at ± ClockSkew</c>, so the skew widens both ends for the leaf and its CAs alike.</para>
/// <para>PartialChain: "leaf from a foreign CA" and "our intermediate is missing" look the same to the
/// platform. If the name of the missing issuer is held (store or client chain) the link failed on the key,
/// which reads <see cref="RejectReason.BadSignature"/>; otherwise <see cref="RejectReason.PartialChain"/>
/// with a hint naming the missing issuer. A chain ending at a self-signed CA we do not hold reads
/// <see cref="RejectReason.UntrustedIssuer"/>.</para>
/// <para>Strength (<see cref="CertificateRequirements"/>): an oversized certificate is refused before any chain is built;
/// once the chain reaches one of our roots, its depth, signature algorithms and key sizes are checked before validity,
/// usage and revocation, because the platform checks none of them on Linux. A CA acting beyond its powers (not a CA,
/// past its pathLen or name constraints) reads <see cref="RejectReason.UntrustedIssuer"/> naming that CA.</para>
/// <para>RFC 5280 (<see cref="PathValidation"/>): the extensions the client sent are parsed before anything reads them,
/// and once the chain reaches one of our roots its §4.2 MUSTs and name constraints are checked before strength, because
/// the platform's chain builder is lenient about them.</para>
/// <para>Revocation is done here, never by the platform (its online mode fetches inside chain building, only the first
/// URL, with no refresh): the leaf and each intermediate against the CRL of its issuer — from CrlFiles (a CA of the
/// store or one the client sent, used once it verifies with that issuer's key), and with <c>Revocation: Online</c>
/// else from its CRL Distribution Points (<see cref="FetchedCrls"/>), asked only once the chain verified to the store's
/// anchor. With AllowPartialChain the store's intermediates are anchors: a chain may end at one, whose own revocation is
/// then not checked.</para>
/// <para>SPIFFE (<see cref="X509Svid"/>): in a store with SpiffeBundles, a certificate with a spiffe: URI SAN must be a valid
/// X509-SVID and is verified against its trust domain's bundle only, through the same chain checks as a CaFiles chain.</para>
/// </remarks>
public sealed class CertificateVerifier : ICertificateVerifier
{
    private const string NameConstraintsOid = "2.5.29.30";

    private const X509ChainStatusFlags NameConstraintFlags =
        X509ChainStatusFlags.InvalidNameConstraints | X509ChainStatusFlags.HasNotSupportedNameConstraint | X509ChainStatusFlags.HasNotDefinedNameConstraint
        | X509ChainStatusFlags.HasNotPermittedNameConstraint | X509ChainStatusFlags.HasExcludedNameConstraint;

    // The extensions OpenSSL's path validation understands; a critical one outside this list is what it refuses.
    private static readonly FrozenSet<string> UnderstoodExtensions = FrozenSet.ToFrozenSet(
    [
        "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.18", "2.5.29.19", "2.5.29.30", "2.5.29.31", "2.5.29.32", "2.5.29.33",
        "2.5.29.35", "2.5.29.36", "2.5.29.37", "2.5.29.46", "2.5.29.54", "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.1.24",
    ], StringComparer.Ordinal);

    // What the platform says of a chain that reached no self-signed root of the store.
    private const X509ChainStatusFlags NoAnchorFlags = X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot;

    private const X509ChainStatusFlags TimeFlags =
        X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested | X509ChainStatusFlags.CtlNotTimeValid;

    private readonly FetchedCrls? _fetched;

    /// <summary>A verifier whose Online stores use only their CrlFiles (the CLI's; the gateway's fetches).</summary>
    public CertificateVerifier()
    {
    }

    /// <param name="fetched">The CRLs fetched from distribution points, for stores with <c>Revocation: Online</c>.</param>
    public CertificateVerifier(FetchedCrls? fetched) => _fetched = fetched;

    public VerificationResult Verify(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(store);
        if (PathValidation.CheckSyntax([leaf, .. presentedExtra ?? []]) is { } malformed)
        {
            return malformed; // before anything reads the extensions: the platform throws at the first damaged one
        }

        if (store.Spiffe is { } spiffe && X509Svid.Select(leaf, store, spiffe) is { } svid)
        {
            var verdict = svid.Refusal
                ?? store.Requirements.CheckSizes(leaf, presentedExtra, store.Name)
                ?? VerifyChain(leaf, presentedExtra, svid.Store!, at, _fetched);
            return svid.Bundle is null ? verdict : X509Svid.Conclude(verdict, svid, leaf, presentedExtra, store, spiffe);
        }

        if (CertificateFacts.IsCertificateAuthority(leaf))
        {
            return VerificationResult.Reject(RejectReason.WrongUsage, VerificationHints.IsCertificateAuthority(leaf));
        }

        if (store.Requirements.CheckSizes(leaf, presentedExtra, store.Name) is { } oversized)
        {
            return oversized;
        }

        if (store.IsPinsOnly && store.Pins.Count == 0 && store.Spiffe is { } bundlesOnly)
        {
            return VerificationResult.Reject(RejectReason.UntrustedIssuer, SpiffeHints.NotAnSvid(leaf, store, bundlesOnly));
        }

        return store.IsPinsOnly ? VerifyPinned(leaf, store, at) : VerifyChain(leaf, presentedExtra, store, at, _fetched);
    }

    private static VerificationResult VerifyPinned(X509Certificate2 leaf, TrustStore store, DateTimeOffset at)
    {
        if (!store.Pins.Contains(Fingerprints.Sha256(leaf)))
        {
            return VerificationResult.Reject(RejectReason.UntrustedIssuer, VerificationHints.NotPinned(leaf, store));
        }

        if (store.Requirements.CheckChain([leaf], store.Name) is { } weak)
        {
            return weak; // the pinned certificate is its own anchor: its key size counts, a self-signature does not
        }

        if (CheckValidity(leaf, isLeaf: true, store.ClockSkew, at) is { } invalid)
        {
            return invalid;
        }

        return CertificateFacts.AllowsExtendedUsage(leaf, Oids.ClientAuth)
            ? VerificationResult.Valid
            : VerificationResult.Reject(RejectReason.WrongUsage, VerificationHints.NoClientAuth(leaf, isLeaf: true));
    }

    private static VerificationResult VerifyChain(X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset at, FetchedCrls? fetched)
    {
        using var chain = new X509Chain();
        Configure(chain.ChainPolicy, presentedExtra, store, at);
        var elements = new List<X509Certificate2>();
        try
        {
            try
            {
                chain.Build(leaf);
            }
            catch (CryptographicException e)
            {
                return VerificationResult.Reject(RejectReason.BadSignature, VerificationHints.Unparsable(e.Message));
            }

            elements.AddRange(chain.ChainElements.Select(e => e.Certificate));
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            var path = elements;
            if (store.AllowPartialChain && (flags & NoAnchorFlags) != 0 && AnchorAtStoreIntermediate(chain, elements, store) is { } anchored)
            {
                (path, flags) = anchored;
            }

            var status = ChainStatusMapper.Describe(flags);
            return Decide(chain, path, flags & ~TimeFlags, status, leaf, presentedExtra, store, at, fetched);
        }
        finally
        {
            // Chain elements are fresh instances holding native handles; ours (leaf, store, client chain) are not among them.
            foreach (var element in elements.Where(e => !ReferenceEquals(e, leaf)))
            {
                element.Dispose();
            }
        }
    }

    /// <summary>
    /// AllowPartialChain: the path cut at the first CA (above the leaf) that is an intermediate of the store, and the
    /// flags of that path alone, with "no trusted root above it" dropped: that CA is the anchor. Null when the chain
    /// holds no store intermediate.
    /// </summary>
    private static (List<X509Certificate2> Path, X509ChainStatusFlags Flags)? AnchorAtStoreIntermediate(X509Chain chain, List<X509Certificate2> elements, TrustStore store)
    {
        for (var k = 1; k < elements.Count && k < chain.ChainElements.Count; k++)
        {
            if (!store.Intermediates.Any(ca => ca.RawDataMemory.Span.SequenceEqual(elements[k].RawDataMemory.Span)))
            {
                continue;
            }

            var flags = X509ChainStatusFlags.NoError;
            for (var i = 0; i <= k; i++)
            {
                flags = chain.ChainElements[i].ChainElementStatus.Aggregate(flags, (all, s) => all | s.Status);
            }

            return (elements.GetRange(0, k + 1), flags & ~NoAnchorFlags);
        }

        return null;
    }

    private static void Configure(X509ChainPolicy policy, X509Certificate2Collection? presentedExtra, TrustStore store, DateTimeOffset at)
    {
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(store.RootCollection);
        // Also with AllowPartialChain: the platform (OpenSSL on Linux) takes only self-signed anchors from CustomTrustStore,
        // so a chain ending at a store intermediate reads PartialChain and AnchorAtStoreIntermediate accepts it.
        policy.ExtraStore.AddRange(store.IntermediateCollection);
        if (presentedExtra is not null)
        {
            policy.ExtraStore.AddRange(presentedExtra);
        }

        policy.ApplicationPolicy.Add(new Oid(Oids.ClientAuth));
        policy.DisableCertificateDownloads = true; // never fetch AIA issuers: the store says whom we trust
        policy.RevocationMode = X509RevocationMode.NoCheck; // the gateway owns revocation (Decide)
        policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreNotTimeNested | X509VerificationFlags.IgnoreCtlNotTimeValid;
        policy.VerificationTimeIgnored = false;
        policy.VerificationTime = at.UtcDateTime;
    }

    private static VerificationResult Decide(
        X509Chain chain,
        List<X509Certificate2> elements,
        X509ChainStatusFlags flags,
        string status,
        X509Certificate2 leaf,
        X509Certificate2Collection? presentedExtra,
        TrustStore store,
        DateTimeOffset at,
        FetchedCrls? fetched)
    {
        if (PathValidation.CheckSyntax(elements) is { } malformed)
        {
            return malformed with { ChainStatus = status };
        }

        var reason = ChainStatusMapper.Classify(flags);
        if (reason is RejectReason.BadSignature or RejectReason.UntrustedIssuer or RejectReason.PartialChain)
        {
            var (refined, hint) = ExplainTrustFailure(chain, elements, reason.Value, leaf, presentedExtra, store);
            return VerificationResult.Reject(refined, hint, status);
        }

        // The chain reached one of our roots: now whether RFC 5280 allows it, and whether it is strong enough to mean anything.
        if (PathValidation.Check(elements) is { } nonconformant)
        {
            return nonconformant with { ChainStatus = status };
        }

        if (store.Requirements.CheckChain(elements, store.Name) is { } weak)
        {
            return weak with { ChainStatus = status };
        }

        for (var i = 0; i < elements.Count; i++)
        {
            if (CheckValidity(elements[i], isLeaf: i == 0, store.ClockSkew, at) is { } invalid)
            {
                return invalid with { ChainStatus = status };
            }
        }

        if (reason is RejectReason.WrongUsage)
        {
            return VerificationResult.Reject(RejectReason.WrongUsage, ExplainWrongUsage(chain, elements), status);
        }

        if (store.Pins.Count > 0 && !store.Pins.Contains(Fingerprints.Sha256(leaf)))
        {
            return VerificationResult.Reject(RejectReason.UntrustedIssuer, VerificationHints.NotPinned(leaf, store), status);
        }

        var evidence = new List<RevocationEvidence>();
        var revocation = store.Revocation switch
        {
            RevocationCheck.Offline => OfflineRevocation.Check(elements, store, at, evidence),
            RevocationCheck.Online => OfflineRevocation.Check(elements, store, at, evidence, fetched),
            _ => null,
        };

        var verdict = revocation switch
        {
            { IsRevoked: true } => VerificationResult.Reject(RejectReason.Revoked, revocation.Hint, status),
            { } unknown when store.RevocationFailure == RevocationFailureAction.Allow =>
                VerificationResult.AdmitWithWarning(VerificationHints.AdmittedAnyway(unknown.Hint), status),
            { } unknown => VerificationResult.Reject(RejectReason.RevocationUnknown, unknown.Hint, status),
            null => status.Length == 0 ? VerificationResult.Valid : VerificationResult.Valid with { ChainStatus = status },
        };
        return evidence.Count == 0 ? verdict : verdict with { Revocation = evidence };
    }

    private static (RejectReason Reason, string Hint) ExplainTrustFailure(
        X509Chain chain, List<X509Certificate2> elements, RejectReason reason, X509Certificate2 leaf, X509Certificate2Collection? presentedExtra, TrustStore store)
    {
        var top = elements.Count > 0 ? elements[^1] : leaf;
        switch (reason)
        {
            case RejectReason.PartialChain when store.HoldsSubject(top.IssuerName) || Holds(presentedExtra, top.IssuerName):
                return (RejectReason.BadSignature, VerificationHints.IssuerKeyMismatch(top, store));
            case RejectReason.PartialChain:
                return (RejectReason.PartialChain, VerificationHints.MissingIssuer(top, store));
            case RejectReason.BadSignature:
                var index = Enumerable.Range(0, chain.ChainElements.Count).FirstOrDefault(i =>
                    chain.ChainElements[i].ChainElementStatus.Any(s => ChainStatusMapper.Map(s.Status) == RejectReason.BadSignature));
                return (RejectReason.BadSignature, VerificationHints.BadSignature(index < elements.Count ? elements[index] : leaf));
            case RejectReason.UntrustedIssuer when ExplainConstraintViolation(chain, elements) is { } violation:
                return (RejectReason.UntrustedIssuer, violation);
            case RejectReason.UntrustedIssuer when chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.UntrustedRoot):
                return (RejectReason.UntrustedIssuer, elements.Count <= 1
                    ? VerificationHints.SelfSigned(leaf, store)
                    : VerificationHints.UntrustedRoot(top, store));
            default:
                return (reason, VerificationHints.ChainInvalid(store, Detail(chain, ChainStatusMapper.FlagsFor(reason))));
        }
    }

    /// <summary>A CA that acted outside its powers: not a CA at all, beyond its path length, or outside its name constraints.</summary>
    private static string? ExplainConstraintViolation(X509Chain chain, List<X509Certificate2> elements)
    {
        for (var i = 0; i < elements.Count && i < chain.ChainElements.Count; i++)
        {
            var flags = chain.ChainElements[i].ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            if (flags.HasFlag(X509ChainStatusFlags.InvalidBasicConstraints) && i > 0)
            {
                var ca = elements[i];
                var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
                if (constraints is not { CertificateAuthority: true } || !CertificateFacts.AllowsKeyUsage(ca, X509KeyUsageFlags.KeyCertSign))
                {
                    return VerificationHints.NotACa(ca, elements[i - 1]);
                }

                if (constraints.HasPathLengthConstraint)
                {
                    return VerificationHints.PathLengthExceeded(ca, constraints.PathLengthConstraint, i - 1);
                }
            }

            if ((flags & NameConstraintFlags) != 0)
            {
                var constraining = elements.Skip(i + 1).FirstOrDefault(e => e.Extensions[NameConstraintsOid] is not null);
                return PathValidation.ExplainNameConstraints(elements) ?? VerificationHints.NameConstraintViolated(elements[i], constraining, Detail(chain, NameConstraintFlags));
            }
        }

        return null;
    }

    private static string ExplainWrongUsage(X509Chain chain, List<X509Certificate2> elements)
    {
        for (var i = 0; i < elements.Count && i < chain.ChainElements.Count; i++)
        {
            if (chain.ChainElements[i].ChainElementStatus.Any(s => s.Status == X509ChainStatusFlags.HasNotSupportedCriticalExtension))
            {
                var unknown = elements[i].Extensions.Where(e => e.Critical && !UnderstoodExtensions.Contains(e.Oid?.Value ?? string.Empty)).Select(e => e.Oid?.Value ?? "?").ToList();
                return unknown.Count > 0
                    ? VerificationHints.UnknownCriticalExtension(elements[i], i, unknown)
                    : VerificationHints.WrongUsage(Detail(chain, X509ChainStatusFlags.HasNotSupportedCriticalExtension));
            }
        }

        for (var i = 0; i < elements.Count; i++)
        {
            if (!CertificateFacts.AllowsExtendedUsage(elements[i], Oids.ClientAuth))
            {
                return VerificationHints.NoClientAuth(elements[i], isLeaf: i == 0);
            }
        }

        return VerificationHints.WrongUsage(Detail(chain, ChainStatusMapper.FlagsFor(RejectReason.WrongUsage)));
    }

    private static VerificationResult? CheckValidity(X509Certificate2 certificate, bool isLeaf, TimeSpan skew, DateTimeOffset at)
    {
        var notAfter = CertificateFacts.NotAfter(certificate);
        if (at > notAfter + skew)
        {
            return VerificationResult.Reject(RejectReason.Expired, VerificationHints.Expired(certificate, isLeaf, notAfter, at));
        }

        var notBefore = CertificateFacts.NotBefore(certificate);
        return at < notBefore - skew
            ? VerificationResult.Reject(RejectReason.NotYetValid, VerificationHints.NotYetValid(certificate, isLeaf, notBefore, at))
            : null;
    }

    private static bool Holds(X509Certificate2Collection? certificates, X500DistinguishedName name) =>
        certificates?.Any(c => c.SubjectName.RawData.AsSpan().SequenceEqual(name.RawData)) == true;

    /// <summary>The platform's own words for the flags in question, for hints the table cannot phrase better.</summary>
    private static string Detail(X509Chain chain, X509ChainStatusFlags relevant)
    {
        var texts = chain.ChainStatus
            .Where(s => (s.Status & relevant) != 0)
            .Select(s => string.IsNullOrWhiteSpace(s.StatusInformation) ? s.Status.ToString() : s.StatusInformation.Trim())
            .Distinct(StringComparer.Ordinal);
        return string.Join("; ", texts);
    }
}
