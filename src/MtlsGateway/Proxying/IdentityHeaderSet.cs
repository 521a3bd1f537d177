using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Proxying;

/// <summary>
/// The identity headers one policy sends for one connection's certificate (or for none), computed once: they
/// depend on nothing else, so every request of the connection reuses them instead of re-reading the certificate.
/// </summary>
internal sealed class IdentityHeaderSet
{
    private IdentityHeaderSet(KeyValuePair<string, string>[] headers) => Headers = headers;

    /// <summary>Name and value of each header to set, every value printable ASCII.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The headers for <paramref name="policy"/> and the verified <paramref name="certificate"/> (null: none)
    /// that <paramref name="partner"/> admitted; <paramref name="identity"/> is the certificate's, when the caller has already
    /// read it; <paramref name="chain"/> what the client sent with it, leaf excluded (RFC 9440 <c>Client-Cert-Chain</c>).
    /// With <paramref name="failure"/> (Report mode) the certificate failed: <c>FAILED</c>, the Reason, and nothing of the
    /// certificate.</summary>
    public static IdentityHeaderSet Create(
        GatewayPolicy policy, IdentityHeaderNames names, X509Certificate2? certificate, CertificateIdentity? identity = null, PolicyPartner? partner = null,
        X509Certificate2Collection? chain = null, Diagnostics.RejectReason? failure = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(names);
        var options = policy.Identity;
        var headers = new List<KeyValuePair<string, string>>(12);
        void Add(string name, string value) => headers.Add(new(name, value));

        Add(names.Policy, policy.Name);
        if (failure is { } reason)
        {
            Add(names.Verified, "FAILED");
            Add(names.Failure, reason.ToString());
            return new IdentityHeaderSet([.. headers]);
        }

        if (certificate is null)
        {
            Add(names.Verified, "NONE");
            return new IdentityHeaderSet([.. headers]);
        }

        Add(names.Verified, "SUCCESS");
        if (partner is not null)
        {
            Add(names.Partner, partner.Name);
        }

        var id = identity ?? CertificateIdentity.From(certificate);
        if (options.Xfcc)
        {
            Add(names.Xfcc, XfccEncoder.Encode(id, options.XfccCert ? certificate : null));
        }

        if (options.Parts)
        {
            Add(names.Subject, HeaderValue.DistinguishedName(id.Subject));
            Add(names.Issuer, HeaderValue.DistinguishedName(id.Issuer));
            Add(names.Serial, id.SerialNumber);
            Add(names.Sha256, id.Sha256.ToLowerInvariant());
            Add(names.NotAfter, id.NotAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            if (id.DnsNames.Count > 0)
            {
                Add(names.Dns, HeaderValue.List(id.DnsNames));
            }

            if (id.Uris.Count > 0)
            {
                Add(names.Uri, HeaderValue.List(id.Uris));
            }
        }

        if (options.ArrClientCert)
        {
            Add(names.ArrClientCert, Convert.ToBase64String(certificate.RawData));
        }

        if (options.Rfc9440)
        {
            Add(names.ClientCert, Rfc9440Encoder.ByteSequence(certificate.RawDataMemory.Span));
            if (chain is { Count: > 0 })
            {
                Add(names.ClientCertChain, Rfc9440Encoder.List(chain));
            }
        }

        return new IdentityHeaderSet([.. headers]);
    }
}
