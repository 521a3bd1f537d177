using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// The SPIFFE bundles of one trust store (federation: one per trust domain), each with the trust store compiled for
/// it: the bundle's authorities as its only anchors, every other setting (CRLs, revocation, pins, strength, skew) the
/// store's own, so an X509-SVID meets the same RFC 5280 path, strength and revocation checks as a CaFiles chain.
/// </summary>
public sealed class SpiffeTrust
{
    private readonly FrozenDictionary<string, (SpiffeBundle Bundle, TrustStore Store)> _domains;

    public SpiffeTrust(IEnumerable<(SpiffeBundle Bundle, TrustStore Store)> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _domains = domains.ToFrozenDictionary(d => d.Bundle.TrustDomain, StringComparer.Ordinal);
        Bundles = [.. _domains.Values.Select(d => d.Bundle).OrderBy(b => b.TrustDomain, StringComparer.Ordinal)];
    }

    /// <summary>Every bundle, by trust domain name.</summary>
    public IReadOnlyList<SpiffeBundle> Bundles { get; }

    /// <summary>Every bundle's authorities (the acceptable CA names of the handshake include them).</summary>
    public IEnumerable<X509Certificate2> Authorities => Bundles.SelectMany(b => b.Authorities);

    /// <summary>"acme.test, globex.test": the trust domains that have a bundle, for hints.</summary>
    public string DomainList => string.Join(", ", Bundles.Select(b => b.TrustDomain));

    /// <summary>The bundle of <paramref name="trustDomain"/> and the store compiled for it, or null when it has none.</summary>
    public (SpiffeBundle Bundle, TrustStore Store)? Find(string trustDomain) =>
        _domains.TryGetValue(trustDomain, out var domain) ? domain : null;

    /// <summary>The bundle other than <paramref name="except"/> holding a CA named <paramref name="subject"/>, or null.</summary>
    internal SpiffeBundle? HoldingSubject(X500DistinguishedName subject, SpiffeBundle except) =>
        Bundles.FirstOrDefault(b => !ReferenceEquals(b, except) && Holds(b, subject));

    internal static bool Holds(SpiffeBundle bundle, X500DistinguishedName subject) =>
        bundle.Authorities.Any(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(subject.RawData));
}
