using System.Net;

namespace MtlsGateway.Configuration;

/// <summary>A parsed listener URL.</summary>
public sealed record ListenerEndpoint(string Name, bool IsTls, IPEndPoint EndPoint, bool IsLocalhost, TimeSpan HandshakeTimeout)
{
    /// <summary>PROXY protocol settings; null when the listener reads no header (Mode Off).</summary>
    public ProxyProtocolSettings? ProxyProtocol { get; init; }

    /// <summary>Parses <c>http(s)://host:port</c>, host being an IP address, <c>localhost</c>, <c>*</c> or <c>+</c>.</summary>
    public static ListenerEndpoint? Parse(string name, string? url, TimeSpan handshakeTimeout, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(new ConfigError(path, "Url is missing; set it to e.g. 'https://0.0.0.0:8443' or 'http://0.0.0.0:8080'"));
            return null;
        }

        // Uri does not accept '*' or '+' as a host: map them to the any-address before parsing.
        var normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(new ConfigError(path, $"'{url}' is not a listener URL; use http://HOST:PORT or https://HOST:PORT"));
            return null;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            errors.Add(new ConfigError(path, $"'{url}' has a path; a listener URL is only scheme, address and port"));
            return null;
        }

        // Uri fills in 443/80 for a URL without a port: a listener silently on :443 is never what was meant.
        var authority = normalized[(normalized.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        if (!authority.Contains(':', StringComparison.Ordinal) || authority.EndsWith(']'))
        {
            errors.Add(new ConfigError(path, $"'{url}' has no port; write it, e.g. '{uri.Scheme}://{uri.Host}:{(uri.Scheme == Uri.UriSchemeHttps ? 8443 : 8080)}' (port 0 picks a free one)"));
            return null;
        }

        var isLocalhost = string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
        IPAddress? address = isLocalhost ? IPAddress.Loopback : null;
        if (address is null && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out address))
        {
            errors.Add(new ConfigError(path, $"'{uri.Host}' is not an IP address; listen on an address (0.0.0.0, 127.0.0.1, [::]) or 'localhost'"));
            return null;
        }

        if (handshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add(new ConfigError(path.Replace(":Url", ":HandshakeTimeout", StringComparison.Ordinal), "HandshakeTimeout must be positive, e.g. '00:00:10'"));
            return null;
        }

        return new ListenerEndpoint(name, uri.Scheme == Uri.UriSchemeHttps, new IPEndPoint(address, uri.Port), isLocalhost, handshakeTimeout);
    }
}
