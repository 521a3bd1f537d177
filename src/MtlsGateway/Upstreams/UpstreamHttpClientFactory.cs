using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Runtime;
using Yarp.ReverseProxy.Forwarder;

namespace MtlsGateway.Upstreams;

/// <summary>
/// YARP's client factory plus upstream mTLS (<c>Gateway:Upstreams</c>): per cluster, the gateway's client certificate
/// (with its chain) and verification of the backend's server certificate against the named trust store. Every
/// refused backend certificate is logged with its reason and counted; the request then fails as 502 problem+json.
/// </summary>
internal sealed class UpstreamHttpClientFactory : ForwarderHttpClientFactory, IForwarderHttpClientFactory
{
    // A backend certificate must never make the gateway fetch anything: SslStream's own chain build (before the callback)
    // would otherwise download a missing issuer from the URL the certificate names. SslStream clones the policy per
    // connection. The trust mode stays System: with no trust store named, the OS store decides.
    private static X509ChainPolicy OfflineChainPolicy() => new()
    {
        DisableCertificateDownloads = true,
        RevocationMode = X509RevocationMode.NoCheck,
    };

    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamHttpClientFactory> _logger;
    private readonly Counter<long> _rejections;

    public UpstreamHttpClientFactory(
        GatewayState state, TimeProvider time, ILogger<UpstreamHttpClientFactory> logger, ILogger<ForwarderHttpClientFactory> baseLogger, IMeterFactory meterFactory)
        : base(baseLogger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _state = state;
        _time = time;
        _logger = logger;
        _rejections = meterFactory.Create(GatewayMetrics.MeterName).CreateCounter<long>("mtls_gateway.upstream.certificate_rejections",
            description: "Backend server certificates the gateway refused, by cluster and reason.");
    }

    // Re-implements the interface: YARP's CreateClient is not virtual, and YARP calls it through the interface.
    HttpMessageInvoker IForwarderHttpClientFactory.CreateClient(ForwarderHttpClientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.OldClient is not null && CanReuseOldClient(context))
        {
            return context.OldClient;
        }

        // Each inner client is YARP's own, built for the material current when it is needed.
        var fresh = new ForwarderHttpClientContext
        {
            ClusterId = context.ClusterId,
            OldConfig = context.OldConfig,
            OldMetadata = context.OldMetadata,
            NewConfig = context.NewConfig,
            NewMetadata = context.NewMetadata,
        };
        return new HttpMessageInvoker(
            new UpstreamClientHandler(context.ClusterId, _state, () => CreateClient(fresh)), disposeHandler: true);
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        base.ConfigureHandler(context, handler);
        Secure(handler, context.ClusterId, _state.Current.Upstreams.GetValueOrDefault(context.ClusterId));
    }

    private void Secure(SocketsHttpHandler handler, string clusterId, UpstreamTls? material)
    {
        var ssl = handler.SslOptions;
        ssl.CertificateChainPolicy = OfflineChainPolicy();
        if (material?.ClientCertificate is { } client)
        {
            ssl.ClientCertificateContext = client;
        }

        // YARP's own callback (DangerousAcceptAnyServerCertificate) stays in charge when no trust store is named.
        var yarpValidation = ssl.RemoteCertificateValidationCallback;
        var store = material?.TrustStore;
        ssl.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            var leaf = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            UpstreamCertificateVerdict? verdict;
            if (store is not null)
            {
                verdict = UpstreamCertificateValidator.Verify(leaf, chain, errors, store, _time.GetUtcNow());
            }
            else if (yarpValidation is not null ? yarpValidation(sender, certificate, chain, errors) : errors == SslPolicyErrors.None)
            {
                verdict = null;
            }
            else
            {
                verdict = UpstreamCertificateValidator.Describe(leaf, chain, errors);
            }

            if (verdict is null)
            {
                return true;
            }

            var host = (sender as SslStream)?.TargetHostName;
            var id = leaf is null ? null : CertificateIdentity.From(leaf);
            _logger.UpstreamCertificateRejected(verdict.Reason, verdict.Hint, clusterId, host, store?.Name ?? "(operating system)",
                id?.Subject, id?.Issuer, id?.SerialNumber, id?.Sha256, id?.NotAfter, verdict.ChainStatus);
            _rejections.Add(1, new KeyValuePair<string, object?>("cluster", clusterId), new KeyValuePair<string, object?>("reason", verdict.Reason));
            return false;
        };
    }
}
