using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MtlsGateway.Connections.ProxyProtocol;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Passthrough;

/// <summary><c>SendProxyProtocol</c>: a passthrough destination learns the real client address from a PROXY v2 header.</summary>
[Trait("Category", "EndToEnd")]
public sealed class PassthroughProxyProtocolTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Passthrough_SendProxyProtocol_DestinationGetsClientAddressThenTheHello()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2");
        byte[]? received = null;
        await using var backend = RawBackend.Start(async socket => received = await RawBackend.ReadToEndAsync(socket, Bounded));
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(
            [$"127.0.0.1:{backend.Port}"], entry => entry["SendProxyProtocol"] = true));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello);
        client.Shutdown(SocketShutdown.Send);
        await RawBackend.ReadToEndAsync(client, Bounded);
        await (await backend.FirstConnectionAsync(Bounded)).WaitAsync(Bounded);

        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(received!), out var header, out var problem);
        status.Should().Be(ProxyHeaderStatus.Complete, $"{problem}; received {received!.Length} bytes: {Convert.ToHexString(received.AsSpan(0, Math.Min(40, received.Length)))}");
        header!.Version.Should().Be(2);
        header.Source.Should().Be((IPEndPoint)client.LocalEndPoint!, "the destination sees the client, not the gateway");
        header.Destination!.Port.Should().Be(host.Port());
        received.AsSpan(header.Length).ToArray().Should().Equal(hello, "the client's bytes follow the header untouched");
    }

    [Fact]
    public async Task Passthrough_WithoutSendProxyProtocol_DestinationGetsOnlyTheClientsBytes()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2");
        byte[]? received = null;
        await using var backend = RawBackend.Start(async socket => received = await RawBackend.ReadToEndAsync(socket, Bounded));
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello);
        client.Shutdown(SocketShutdown.Send);
        await RawBackend.ReadToEndAsync(client, Bounded);
        await (await backend.FirstConnectionAsync(Bounded)).WaitAsync(Bounded);

        received.Should().Equal(hello);
    }

    [Fact]
    public void HeaderWriter_Ipv6AndUnknown_RoundTripThroughTheParser()
    {
        var v6 = ProxyHeaderWriter.V2(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40000), new IPEndPoint(IPAddress.IPv6Loopback, 8443));
        var local = ProxyHeaderWriter.V2(null, new IPEndPoint(IPAddress.Loopback, 8443));

        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(v6), out var parsed, out _).Should().Be(ProxyHeaderStatus.Complete);
        parsed!.Source.Should().Be(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40000));
        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(local), out var unknown, out _).Should().Be(ProxyHeaderStatus.Complete);
        unknown!.IsLocal.Should().BeTrue();
        unknown.Source.Should().BeNull();
    }
}
