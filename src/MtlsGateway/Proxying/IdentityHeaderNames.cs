using System.Collections.Frozen;
using MtlsGateway.Configuration;

namespace MtlsGateway.Proxying;

/// <summary>The identity headers the gateway owns, with a policy's renames applied.</summary>
internal sealed record IdentityHeaderNames(
    string Xfcc, string Verified, string Subject, string Issuer, string Serial, string Sha256,
    string NotAfter, string Dns, string Uri, string Policy, string ArrClientCert, string Partner, string ClientCert, string ClientCertChain, string Failure)
{
    /// <summary>The keys of <see cref="IdentityHeaderOptions.Names"/>, in the order of the record.</summary>
    public static readonly IReadOnlyList<string> Keys =
        [nameof(Xfcc), nameof(Verified), nameof(Subject), nameof(Issuer), nameof(Serial), nameof(Sha256),
         nameof(NotAfter), nameof(Dns), nameof(Uri), nameof(Policy), nameof(ArrClientCert), nameof(Partner), nameof(ClientCert), nameof(ClientCertChain), nameof(Failure)];

    // Headers HTTP, the forwarder or the backend's framework give a meaning of their own: an identity header
    // renamed onto one of them would change how the request is framed, routed or authenticated.
    private static readonly FrozenSet<string> Reserved = new[]
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Content-Length", "Content-Type", "Content-Encoding", "Expect", "Authorization", "Proxy-Authorization",
        "Cookie", "Via", "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
        "traceparent", "tracestate",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static IdentityHeaderNames Defaults { get; } = new(
        "X-Forwarded-Client-Cert", "X-Client-Cert-Verified", "X-Client-Cert-Subject", "X-Client-Cert-Issuer",
        "X-Client-Cert-Serial", "X-Client-Cert-Sha256", "X-Client-Cert-Not-After", "X-Client-Cert-Dns",
        "X-Client-Cert-Uri", "X-Client-Cert-Policy", "X-ARR-ClientCert", "X-Client-Cert-Partner", "Client-Cert", "Client-Cert-Chain", "X-Client-Cert-Failure");

    public IEnumerable<string> All => [Xfcc, Verified, Subject, Issuer, Serial, Sha256, NotAfter, Dns, Uri, Policy, ArrClientCert, Partner, ClientCert, ClientCertChain, Failure];

    public static IdentityHeaderNames For(IdentityHeaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Names;
        string Pick(string key, string fallback) => names.TryGetValue(key, out var name) && !string.IsNullOrWhiteSpace(name) ? name.Trim() : fallback;
        var d = Defaults;
        return new IdentityHeaderNames(
            Pick(nameof(Xfcc), d.Xfcc), Pick(nameof(Verified), d.Verified), Pick(nameof(Subject), d.Subject),
            Pick(nameof(Issuer), d.Issuer), Pick(nameof(Serial), d.Serial), Pick(nameof(Sha256), d.Sha256),
            Pick(nameof(NotAfter), d.NotAfter), Pick(nameof(Dns), d.Dns), Pick(nameof(Uri), d.Uri),
            Pick(nameof(Policy), d.Policy), Pick(nameof(ArrClientCert), d.ArrClientCert), Pick(nameof(Partner), d.Partner),
            Pick(nameof(ClientCert), d.ClientCert), Pick(nameof(ClientCertChain), d.ClientCertChain), Pick(nameof(Failure), d.Failure));
    }

    /// <summary>Checks a policy's <c>Identity:Names</c>: known keys, valid header names, none reserved, no two alike.</summary>
    public static void Validate(IdentityHeaderOptions options, string path, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (key, name) in options.Names)
        {
            var entry = $"{path}:Names:{key}";
            if (!Keys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError(entry, $"'{key}' is not an identity header; known: {string.Join(", ", Keys)}"));
            }
            else if (string.IsNullOrWhiteSpace(name) || !IsToken(name.Trim()))
            {
                errors.Add(new ConfigError(entry, $"'{name}' is not a header name; use letters, digits and '-', e.g. 'X-Partner-Subject'"));
            }
            else if (Reserved.Contains(name.Trim()))
            {
                errors.Add(new ConfigError(entry, $"'{name}' is a header HTTP or the backend already gives a meaning; choose a name of your own, e.g. 'X-Partner-{key}'"));
            }
        }

        var chosen = For(options);
        foreach (var clash in chosen.All.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new ConfigError($"{path}:Names", $"'{clash.Key}' is used for more than one identity header; give each its own name"));
        }
    }

    /// <summary>RFC 9110 token: the characters a field name may hold.</summary>
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}
