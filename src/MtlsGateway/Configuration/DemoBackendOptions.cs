namespace MtlsGateway.Configuration;

/// <summary>Development only: starts an echo backend in the gateway process, so the README's one
/// command gives a working demo. Leave it out of production configuration.</summary>
public sealed class DemoBackendOptions
{
    public string Url { get; set; } = "http://127.0.0.1:5080";
}
