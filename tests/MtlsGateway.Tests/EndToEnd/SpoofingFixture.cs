using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>The default gateway, with the Permissive policy renaming its Subject header to <c>X-Partner-Subject</c>;
/// its Debug events are collected (<c>ForwardingHeadersDropped</c>).</summary>
public sealed class SpoofingFixture : IAsyncLifetime
{
    internal GatewayTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync((config, _) =>
    {
        config["Gateway"]!["Policies"]!["open-status"]!["Identity"] = JsonNode.Parse("""{ "Names": { "Subject": "X-Partner-Subject" } }""");
        config["Serilog"]!["MinimumLevel"]!["Override"]!["MtlsGateway"] = "Debug";
    }, gatewayLogLevel: Serilog.Events.LogEventLevel.Debug);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
