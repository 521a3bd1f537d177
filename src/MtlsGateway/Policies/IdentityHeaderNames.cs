using MtlsGateway.Configuration;

namespace MtlsGateway.Policies;

/// <summary>The identity headers the gateway owns, with a policy's renames applied.</summary>
public sealed record IdentityHeaderNames(
    string Xfcc, string Verified, string Subject, string Issuer, string Serial, string Sha256,
    string NotAfter, string Dns, string Uri, string Policy, string ArrClientCert)
{
    public static IdentityHeaderNames Defaults { get; } = new(
        "X-Forwarded-Client-Cert", "X-Client-Cert-Verified", "X-Client-Cert-Subject", "X-Client-Cert-Issuer",
        "X-Client-Cert-Serial", "X-Client-Cert-Sha256", "X-Client-Cert-Not-After", "X-Client-Cert-Dns",
        "X-Client-Cert-Uri", "X-Client-Cert-Policy", "X-ARR-ClientCert");

    public static IdentityHeaderNames For(IdentityHeaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Names;
        string Pick(string key, string fallback) => names.TryGetValue(key, out var name) && !string.IsNullOrWhiteSpace(name) ? name : fallback;
        var d = Defaults;
        return new IdentityHeaderNames(
            Pick(nameof(Xfcc), d.Xfcc), Pick(nameof(Verified), d.Verified), Pick(nameof(Subject), d.Subject),
            Pick(nameof(Issuer), d.Issuer), Pick(nameof(Serial), d.Serial), Pick(nameof(Sha256), d.Sha256),
            Pick(nameof(NotAfter), d.NotAfter), Pick(nameof(Dns), d.Dns), Pick(nameof(Uri), d.Uri),
            Pick(nameof(Policy), d.Policy), Pick(nameof(ArrClientCert), d.ArrClientCert));
    }

    public IEnumerable<string> All => [Xfcc, Verified, Subject, Issuer, Serial, Sha256, NotAfter, Dns, Uri, Policy, ArrClientCert];
}
