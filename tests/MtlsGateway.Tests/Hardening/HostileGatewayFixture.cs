using System.Text.Json.Nodes;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// A real gateway (the test host's default configuration) whose partners trust store also holds the hostile PKI's CAs
/// and CRLs and allows chains of at most <see cref="HostilePki.MaxChainDepth"/> intermediates.
/// </summary>
public sealed class HostileGatewayFixture : IAsyncLifetime
{
    internal GatewayTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    internal static Task<GatewayTestHost> StartAsync() => GatewayTestHost.StartAsync((config, directory) =>
    {
        HostilePki.Write(Path.Combine(directory, "pki"), DateTimeOffset.UtcNow);
        var store = config["Gateway"]!["TrustStores"]!["partners"]!;
        store["CaFiles"]!.AsArray().Add("pki/" + HostilePki.CaBundle);
        store["CrlFiles"]!.AsArray().Add("pki/" + HostilePki.CrlFolder);
        store["MaxChainDepth"] = HostilePki.MaxChainDepth;
    });
}
