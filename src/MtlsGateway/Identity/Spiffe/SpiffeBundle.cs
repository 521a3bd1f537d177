using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Spiffe;

/// <summary>
/// One trust domain's SPIFFE trust bundle as read from its file: the X.509 authorities (the <c>x5c</c> of its
/// <c>x509-svid</c> keys, each a trust anchor) and the bundle's own metadata. Immutable; a reload reads a new one.
/// </summary>
/// <param name="TrustDomain">The trust domain the configuration assigns the bundle to (the SpiffeBundles key).</param>
/// <param name="Source">The file as configured.</param>
/// <param name="Sequence"><c>spiffe_sequence</c>, when the bundle has one.</param>
/// <param name="RefreshHint"><c>spiffe_refresh_hint</c> (seconds in the file), when the bundle has one.</param>
/// <param name="Authorities">The CA certificates of the bundle's x509-svid keys, duplicates removed.</param>
/// <param name="JwtSvidKeys">How many jwt-svid keys the bundle holds: the gateway verifies X509-SVIDs only, so they are ignored.</param>
/// <param name="OtherKeys">How many keys have another or no <c>use</c>: ignored, as the bundle format requires.</param>
public sealed record SpiffeBundle(
    string TrustDomain,
    string Source,
    long? Sequence,
    TimeSpan? RefreshHint,
    IReadOnlyList<X509Certificate2> Authorities,
    int JwtSvidKeys,
    int OtherKeys)
{
    /// <summary>"trust domain 'acme.test' (bundle 'bundles/acme.json', sequence 7)": how hints and <c>check</c> name it.</summary>
    public string Describe() =>
        $"trust domain '{TrustDomain}' (bundle '{Source}'{(Sequence is { } sequence ? $", sequence {sequence}" : string.Empty)})";

    /// <summary>What the bundle holds, for <c>validate</c>: authorities, metadata and the keys it ignores.</summary>
    public string Summary()
    {
        var parts = new List<string> { $"{Authorities.Count} X.509 authorit{(Authorities.Count == 1 ? "y" : "ies")} ({string.Join("; ", Authorities.Select(CertificateFacts.Name))})" };
        parts.Add(Sequence is { } sequence ? $"spiffe_sequence {sequence}" : "no spiffe_sequence");
        parts.Add(RefreshHint is { } hint ? $"spiffe_refresh_hint {(long)hint.TotalSeconds} s" : "no spiffe_refresh_hint");
        if (JwtSvidKeys > 0)
        {
            parts.Add($"{JwtSvidKeys} jwt-svid key(s) ignored (the gateway verifies X509-SVIDs only)");
        }

        if (OtherKeys > 0)
        {
            parts.Add($"{OtherKeys} key(s) with another or no 'use' ignored");
        }

        return string.Join(", ", parts);
    }
}
