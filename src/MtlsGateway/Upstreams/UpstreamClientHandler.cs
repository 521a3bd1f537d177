using MtlsGateway.Identity;
using MtlsGateway.Runtime;

namespace MtlsGateway.Upstreams;

/// <summary>
/// The message handler YARP holds for one cluster. YARP builds a cluster's HttpClient once and keeps it until the
/// cluster's own settings change, but the gateway's client certificate and the backend trust store come from files
/// that rotate. This handler checks (one reference compare on the hot path) that its client was built from the
/// upstream TLS material in force and builds a new one when the material changed. Like YARP on a cluster change,
/// The new client reads the material itself (<see cref="UpstreamHttpClientFactory"/>); should a reload land in
/// between, the next request sees the difference and builds again. Like YARP on a cluster change,
/// it never disposes a replaced client: requests in flight on it finish, its idle connections time out.
/// </summary>
internal sealed class UpstreamClientHandler(string clusterId, GatewayState state, Func<HttpMessageInvoker> create) : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private volatile Built? _built;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Resolve().Invoker.SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _built?.Invoker.Dispose();
        }

        base.Dispose(disposing);
    }

    private Built Resolve()
    {
        var material = state.Current.Upstreams.GetValueOrDefault(clusterId);
        var built = _built;
        if (built is not null && ReferenceEquals(built.Material, material))
        {
            return built;
        }

        lock (_gate)
        {
            built = _built;
            if (built is not null && built.Fingerprint == material?.Fingerprint)
            {
                // Same content under a new snapshot (a no-op reload): keep the client and its pooled connections.
                _built = built = built with { Material = material };
                return built;
            }

            built = new Built(material, material?.Fingerprint, create());
            _built = built;
            return built;
        }
    }

    private sealed record Built(UpstreamTls? Material, string? Fingerprint, HttpMessageInvoker Invoker);
}
