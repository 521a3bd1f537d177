namespace MtlsGateway.Identity;

/// <summary>
/// A well-formed CRL the gateway refuses to use (RFC 5280 §5: a delta or indirect CRL, an unrecognised critical
/// extension): a <see cref="FormatException"/>, so every caller of <see cref="RevocationList.Parse"/> handles it,
/// whose message names the feature and its OID and says what to use instead.
/// </summary>
public sealed class UnsupportedCrlException : FormatException
{
    public UnsupportedCrlException()
    {
        Oid = string.Empty;
    }

    public UnsupportedCrlException(string message)
        : base(message)
    {
        Oid = string.Empty;
    }

    public UnsupportedCrlException(string message, Exception innerException)
        : base(message, innerException)
    {
        Oid = string.Empty;
    }

    public UnsupportedCrlException(string message, string oid)
        : base(message)
    {
        Oid = oid;
    }

    /// <summary>The extension that made the CRL unusable.</summary>
    public string Oid { get; }
}
