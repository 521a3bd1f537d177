using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>Small reads of a certificate the verifier and loader share.</summary>
internal static class CertificateFacts
{
    public static DateTimeOffset NotBefore(X509Certificate2 certificate) =>
        new(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public static DateTimeOffset NotAfter(X509Certificate2 certificate) =>
        new(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>Basic constraints CA=true. A certificate without the extension is not a CA (RFC 5280 4.2.1.9).</summary>
    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(bc => bc.CertificateAuthority);

    /// <summary>Subject and issuer are the same name: a root (or a self-signed leaf).</summary>
    public static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    /// <summary>True when the key usage extension is absent (any usage) or grants <paramref name="flag"/>.</summary>
    public static bool AllowsKeyUsage(X509Certificate2 certificate, X509KeyUsageFlags flag)
    {
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return usage is null || usage.KeyUsages.HasFlag(flag);
    }

    /// <summary>True when the EKU extension is absent (any usage) or lists <paramref name="oid"/>.</summary>
    public static bool AllowsExtendedUsage(X509Certificate2 certificate, string oid)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return eku is null || eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == oid);
    }

    /// <summary>The subject for messages; a SAN-only certificate has an empty one, which would read as nothing. Capped
    /// (<see cref="Diagnostics.RefusalFieldCaps.FieldLength"/>): a client's kilobytes of subject must not push a hint's
    /// advice past the hint's own cap.</summary>
    public static string Name(X509Certificate2 certificate) =>
        DistinguishedNames.Format(certificate.SubjectName) is { Length: > 0 } name ? Diagnostics.RefusalFieldCaps.Truncate(name)! : "(empty subject)";
}
