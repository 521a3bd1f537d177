using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>One gateway serving the partners of <see cref="PartnerPkis"/>, shared by the tests that do not change it.</summary>
public sealed class PartnersFixture : IAsyncLifetime
{
    internal PartnerPkis Pkis { get; } = new();

    internal GatewayTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayTestHost.StartAsync((config, _) => Pkis.Configure(config));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Pkis.Dispose();
    }
}
