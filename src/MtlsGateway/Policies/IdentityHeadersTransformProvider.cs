using System.Globalization;
using MtlsGateway.Configuration;
using MtlsGateway.Identity;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MtlsGateway.Policies;

/// <summary>
/// Applied to every route: removes every inbound copy of every identity header the gateway owns (default names
/// and every policy's renames, any case), then sets the admitting policy's headers from the verified
/// certificate. A client can never smuggle its own value.
/// </summary>
public sealed class IdentityHeadersTransformProvider(GatewayState state) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.AddRequestTransform(transform =>
        {
            var snapshot = state.Current;
            var headers = transform.ProxyRequest.Headers;
            foreach (var name in OwnedHeaders(snapshot))
            {
                headers.Remove(name);
                transform.ProxyRequest.Content?.Headers.Remove(name);
            }

            if (transform.HttpContext.Features.Get<ClientIdentityFeature>() is { } identity)
            {
                Set(headers, identity);
            }
            else
            {
                headers.TryAddWithoutValidation(IdentityHeaderNames.Defaults.Verified, "NONE");
            }

            return ValueTask.CompletedTask;
        });
    }

    private static IEnumerable<string> OwnedHeaders(GatewaySnapshot snapshot) =>
        snapshot.Policies.Values.SelectMany(p => IdentityHeaderNames.For(p.Identity).All)
            .Concat(IdentityHeaderNames.Defaults.All)
            .Distinct(StringComparer.OrdinalIgnoreCase);

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, ClientIdentityFeature identity)
    {
        var options = identity.Policy.Identity;
        var names = IdentityHeaderNames.For(options);
        headers.TryAddWithoutValidation(names.Policy, identity.Policy.Name);
        if (identity.VerifiedCertificate is not { } certificate)
        {
            headers.TryAddWithoutValidation(names.Verified, "NONE");
            return;
        }

        headers.TryAddWithoutValidation(names.Verified, "SUCCESS");
        var id = CertificateIdentity.From(certificate);
        if (options.Xfcc)
        {
            headers.TryAddWithoutValidation(names.Xfcc, XfccEncoder.Encode(id, options.XfccCert ? certificate : null));
        }

        if (options.Parts)
        {
            headers.TryAddWithoutValidation(names.Subject, HeaderValue.Encode(id.Subject));
            headers.TryAddWithoutValidation(names.Issuer, HeaderValue.Encode(id.Issuer));
            headers.TryAddWithoutValidation(names.Serial, id.SerialNumber);
            headers.TryAddWithoutValidation(names.Sha256, id.Sha256);
            headers.TryAddWithoutValidation(names.NotAfter, id.NotAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            if (id.DnsNames.Count > 0)
            {
                headers.TryAddWithoutValidation(names.Dns, string.Join(",", id.DnsNames.Select(HeaderValue.Encode)));
            }

            if (id.Uris.Count > 0)
            {
                headers.TryAddWithoutValidation(names.Uri, string.Join(",", id.Uris.Select(HeaderValue.Encode)));
            }
        }

        if (options.ArrClientCert)
        {
            headers.TryAddWithoutValidation(names.ArrClientCert, Convert.ToBase64String(certificate.RawData));
        }
    }
}
