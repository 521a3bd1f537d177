namespace MtlsGateway.Proxying;

/// <summary>
/// Compares header names the way a CGI/WSGI backend reads them: case ignored and <c>_</c> the same as <c>-</c>
/// (both become <c>HTTP_X_CLIENT_CERT_URI</c>). Matching the gateway's names this way drops a client's
/// <c>X_Client_Cert_Uri</c> along with <c>X-Client-Cert-Uri</c> (the Puma CVE-2024-45614 class; nginx and Apache
/// drop such names by default). Allocation-free: it runs over every inbound header.
/// </summary>
internal sealed class HeaderNameAliasComparer : IEqualityComparer<string>
{
    public static HeaderNameAliasComparer Instance { get; } = new();

    private HeaderNameAliasComparer()
    {
    }

    public bool Equals(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (Fold(x[i]) != Fold(y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var hash = new HashCode();
        foreach (var c in obj)
        {
            hash.Add(Fold(c));
        }

        return hash.ToHashCode();
    }

    /// <summary>ASCII case folded, <c>_</c> read as <c>-</c>; other characters as they are (a header name is a token).</summary>
    private static char Fold(char c) => c switch
    {
        '_' => '-',
        >= 'a' and <= 'z' => (char)(c - ('a' - 'A')),
        _ => c,
    };
}
