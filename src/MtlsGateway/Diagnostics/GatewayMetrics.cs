using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// The gateway's instruments, on this application's <c>MtlsGateway</c> meter (created by its own
/// <see cref="IMeterFactory"/>, so gateways sharing a process never share counts). The gauges that read the
/// configuration in force are <see cref="Runtime.ConfigurationGauges"/>'s. Names are OpenTelemetry-style; the
/// <c>/metrics</c> exporter turns them into Prometheus names (docs/observability.md lists both).
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "MtlsGateway";

    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _reported;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _watchFailures;
    private readonly Counter<long> _crlFetches;
    private readonly Counter<long> _ocspRequests;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _handshakes = Meter.CreateCounter<long>("mtls_gateway.handshakes", description: "TLS handshakes by listener and result (ok, refused).");
        _refusals = Meter.CreateCounter<long>("mtls_gateway.refusals",
            description: "Refused handshakes and requests by stage, reason, policy and partner; every refusal, including those summarised in the log.");
        _reported = Meter.CreateCounter<long>("mtls_gateway.certificates_reported",
            description: "Requests admitted without identity although their certificate failed (InvalidCertificate: Report), by policy and the reason Strict would refuse.");
        _requests = Meter.CreateCounter<long>("mtls_gateway.requests", description: "HTTP requests on the partner listeners by route and status.");
        _requestDuration = Meter.CreateHistogram<double>("mtls_gateway.request.duration", unit: "s", description: "Time to answer a request, by route.");
        _reloads = Meter.CreateCounter<long>("mtls_gateway.config.reloads", description: "Configuration reloads by result (ok, failed).");
        _watchFailures = Meter.CreateCounter<long>("mtls_gateway.config.watch_failures",
            description: "Looks at the config file and the files it names that threw or did not finish in time; changes are not applied meanwhile.");
        _crlFetches = Meter.CreateCounter<long>("mtls_gateway.crl.fetches",
            description: "CRL fetches from distribution points (Revocation: Online) by trust store, issuer and result (ok, failed, refused).");
        _ocspRequests = Meter.CreateCounter<long>("mtls_gateway.ocsp.requests",
            description: "Requests to OCSP responders (Revocation: Online) by trust store and result (good, revoked, unknown, failed, refused).");
    }

    /// <summary>This application's meter: other parts of the gateway (passthrough) add their instruments to it.</summary>
    public Meter Meter { get; }

    public void HandshakeSucceeded(string listener) =>
        _handshakes.Add(1, new TagList { { "listener", listener }, { "result", "ok" } });

    /// <summary>Counts one refusal (and, for the handshake stage, one refused handshake). Called for every attempt.</summary>
    public void Refused(RefusalStage stage, RefusalDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var listener = details.Listener ?? string.Empty;
        if (stage == RefusalStage.Handshake)
        {
            _handshakes.Add(1, new TagList { { "listener", listener }, { "result", "refused" } });
        }

        _refusals.Add(1, new TagList
        {
            { "listener", listener },
            { "policy", details.Policy ?? string.Empty },
            { "partner", details.Partner ?? string.Empty },
            { "reason", details.Reason.ToString() },
            { "stage", stage == RefusalStage.Handshake ? "handshake" : "request" },
        });
    }

    /// <summary>Counts one <c>CertificateReported</c> request (every one, including those summarised in the log).</summary>
    public void CertificateReported(RefusalDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        _reported.Add(1, new TagList { { "policy", details.Policy ?? string.Empty }, { "reason", details.Reason.ToString() } });
    }

    public void RequestCompleted(string? route, int status, TimeSpan duration)
    {
        var routeTag = route ?? string.Empty;
        _requests.Add(1, new TagList { { "route", routeTag }, { "status", StatusText(status) } });
        _requestDuration.Record(duration.TotalSeconds, new TagList { { "route", routeTag } });
    }

    /// <summary>Counts a configuration reload: applied (<paramref name="succeeded"/>) or refused, the old one staying in force.</summary>
    public void ConfigReloaded(bool succeeded) =>
        _reloads.Add(1, new TagList { { "result", succeeded ? "ok" : "failed" } });

    /// <summary>Counts a look at the files that threw or hung (<see cref="Loading.ConfigReloadService.WatchFailed"/>).</summary>
    public void ConfigWatchFailed() => _watchFailures.Add(1);

    /// <summary>Counts one completed fetch of a CRL distribution point.</summary>
    public void CrlFetched(CrlFetchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _crlFetches.Add(1, new TagList { { "trust_store", report.TrustStore }, { "issuer", report.Issuer }, { "result", report.Result } });
    }

    /// <summary>Counts one request to an OCSP responder.</summary>
    public void OcspRequested(OcspRequestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _ocspRequests.Add(1, new TagList { { "trust_store", report.TrustStore }, { "result", report.Result } });
    }

    private static string StatusText(int status) => status switch
    {
        200 => "200",
        403 => "403",
        404 => "404",
        421 => "421",
        502 => "502",
        504 => "504",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
