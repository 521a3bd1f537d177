using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>Canonical hex forms of certificate hashes and serial numbers, so config values compare with what certificates carry.</summary>
internal static class Fingerprints
{
    /// <summary>Upper-case hex SHA-256 of the certificate's DER.</summary>
    public static string Sha256(X509Certificate2 certificate) =>
        certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Upper-case hex SHA-256 over the SHA-256 of each certificate's DER, in order, skipping any whose SHA-256
    /// is <paramref name="except"/> (the leaf, when a client's sent chain holds it); empty for no certificates.
    /// Keys verdicts by the chain a client sent.</summary>
    public static string ChainSha256(X509Certificate2Collection? certificates, ReadOnlySpan<byte> except = default)
    {
        if (certificates is null || certificates.Count == 0)
        {
            return string.Empty;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> certificateHash = stackalloc byte[SHA256.HashSizeInBytes];
        var hashed = 0;
        foreach (var certificate in certificates)
        {
            SHA256.HashData(certificate.RawDataMemory.Span, certificateHash);
            if (!certificateHash.SequenceEqual(except))
            {
                hash.AppendData(certificateHash);
                hashed++;
            }
        }

        return hashed == 0 ? string.Empty : Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Accepts 64 hex digits, optionally colon-separated (as openssl prints them), in any case.</summary>
    public static bool TryNormalizeSha256(string? value, out string normalized)
    {
        normalized = string.Empty;
        if (value is null)
        {
            return false;
        }

        var stripped = value.Trim().Replace(":", string.Empty, StringComparison.Ordinal);
        if (stripped.Length != 64 || !stripped.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        normalized = stripped.ToUpperInvariant();
        return true;
    }

    /// <summary>Big-endian serial as upper-case hex without leading zero bytes ("00A1" and "A1" are the same serial).</summary>
    public static string Serial(ReadOnlySpan<byte> bigEndian)
    {
        var start = 0;
        while (start < bigEndian.Length - 1 && bigEndian[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(bigEndian[start..]);
    }

    /// <summary>Normalizes a hex serial string (as <see cref="X509Certificate.GetSerialNumberString()"/> gives it).</summary>
    public static string Serial(string hex)
    {
        var trimmed = hex.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (trimmed.Length % 2 == 1)
        {
            trimmed = "0" + trimmed;
        }

        var start = 0;
        while (start < trimmed.Length - 2 && trimmed[start] == '0' && trimmed[start + 1] == '0')
        {
            start += 2;
        }

        return trimmed[start..];
    }

    /// <summary>SHA-256 of the SubjectPublicKeyInfo: identifies a CA key regardless of which certificate carries it.</summary>
    public static string PublicKeySha256(X509Certificate2 certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
}
