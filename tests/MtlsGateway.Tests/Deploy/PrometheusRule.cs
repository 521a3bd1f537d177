namespace MtlsGateway.Tests.Deploy;

/// <summary>The Prometheus Operator's PrometheusRule: the rule groups of a Prometheus rules file as its spec.</summary>
internal sealed class PrometheusRule : CustomResource<PrometheusRuleSpec>
{
    public const string TypeKey = "monitoring.coreos.com/v1/PrometheusRule";
}
