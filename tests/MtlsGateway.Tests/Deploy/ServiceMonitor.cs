namespace MtlsGateway.Tests.Deploy;

/// <summary>The Prometheus Operator's ServiceMonitor: the fields the gateway's component sets.</summary>
internal sealed class ServiceMonitor : CustomResource<ServiceMonitorSpec>
{
    public const string TypeKey = "monitoring.coreos.com/v1/ServiceMonitor";
}
