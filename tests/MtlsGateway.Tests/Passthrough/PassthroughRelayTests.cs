using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>
/// The relay seen from both ends with plain TCP destinations: byte-exact forwarding (the peeked ClientHello first),
/// FIN passed on in each direction, failover, idle timeout, shutdown drain, events and metrics.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PassthroughRelayTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Passthrough_ClientHalfCloses_BackendGetsExactBytesAndClientStillReceives()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2");
        var request = Encoding.ASCII.GetBytes("request body");
        var response = Encoding.ASCII.GetBytes("answer sent after the client's FIN");
        byte[]? received = null;
        await using var backend = RawBackend.Start(async socket =>
        {
            received = await RawBackend.ReadToEndAsync(socket, Bounded); // returns only on the relayed FIN
            await socket.SendAsync(response);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        foreach (var b in hello)
        {
            await client.SendAsync(new[] { b }); // the ClientHello one byte per segment
        }

        await client.SendAsync(request);
        client.Shutdown(SocketShutdown.Send);
        var answer = await RawBackend.ReadToEndAsync(client, Bounded);

        await (await backend.FirstConnectionAsync(Bounded)).WaitAsync(Bounded);
        received.Should().Equal([.. hello, .. request], "the peeked hello is relayed first, byte for byte");
        answer.Should().Equal(response, "after its FIN the client still gets the rest of the backend's data");
        var closed = await host.Logs.WaitForAsync("PassthroughClosed");
        LogSink.Property(closed, "Outcome").Should().Be("Completed");
        LogSink.Property(closed, "BytesFromClient").Should().Be((hello.Length + request.Length).ToString(System.Globalization.CultureInfo.InvariantCulture));
        LogSink.Property(closed, "BytesToClient").Should().Be(response.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        LogSink.Property(closed, "Sni").Should().Be("legacy.partner.test");
        LogSink.Property(closed, "RemoteIp").Should().Be("127.0.0.1");
        LogSink.Property(closed, "Destination").Should().Be($"127.0.0.1:{backend.Port}");
        double.Parse(LogSink.Property(closed, "Duration")!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Passthrough_BackendHalfCloses_ClientCanStillSend()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        var late = Encoding.ASCII.GetBytes("sent after the backend's FIN");
        byte[]? received = null;
        await using var backend = RawBackend.Start(async socket =>
        {
            await socket.SendAsync("bye"u8.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            received = await RawBackend.ReadToEndAsync(socket, Bounded);
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello);
        var fromBackend = await RawBackend.ReadToEndAsync(client, Bounded); // ends with the relayed FIN
        await client.SendAsync(late);
        client.Shutdown(SocketShutdown.Send);

        await (await backend.FirstConnectionAsync(Bounded)).WaitAsync(Bounded);
        fromBackend.Should().Equal("bye"u8.ToArray());
        received.Should().Equal([.. hello, .. late], "the client's direction stays open after the backend's FIN");
    }

    [Fact]
    public async Task Passthrough_EventsAndMetrics_DescribeTheConnection()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2", "http/1.1");
        await using var backend = RawBackend.Start(async socket =>
        {
            await RawBackend.ReadToEndAsync(socket, Bounded);
            await socket.SendAsync(new byte[1000]);
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        var factory = host.Gateway.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name.StartsWith("mtls_gateway.passthrough.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().Select(t => $";{t.Key}={t.Value}"));
            lock (measured)
            {
                measured[key] = measured.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        using (var client = await PassthroughSetup.ConnectAsync(host.Port()))
        {
            await client.SendAsync(hello);
            client.Shutdown(SocketShutdown.Send);
            (await RawBackend.ReadToEndAsync(client, Bounded)).Should().HaveCount(1000);
        }

        var opened = await host.Logs.WaitForAsync("PassthroughOpened");
        LogSink.Property(opened, "Alpn").Should().Be("h2,http/1.1");
        LogSink.Property(opened, "Listener").Should().Be("public");
        LogSink.Property(opened, "ConnectionId").Should().NotBeNullOrEmpty();
        await host.Logs.WaitForAsync("PassthroughClosed");
        lock (measured)
        {
            measured.Should().Contain("mtls_gateway.passthrough.connections.opened;entry=legacy", 1);
            measured.Should().Contain("mtls_gateway.passthrough.connections.closed;entry=legacy;outcome=Completed", 1);
            measured.Should().Contain("mtls_gateway.passthrough.connections.active;entry=legacy", 0);
            measured.Should().Contain("mtls_gateway.passthrough.bytes;entry=legacy;direction=from_client", hello.Length);
            measured.Should().Contain("mtls_gateway.passthrough.bytes;entry=legacy;direction=to_client", 1000);
        }
    }

    [Fact]
    public async Task Passthrough_FirstDestinationRefused_FailsOverToSecond()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        var refused = PassthroughSetup.RefusedPort();
        await using var backend = RawBackend.Start(async socket =>
        {
            await RawBackend.ReadToEndAsync(socket, Bounded);
            await socket.SendAsync("ok"u8.ToArray());
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(refused, backend.Port));

        // Two connections: round-robin starts one of them at each destination; both must reach the live one.
        for (var i = 0; i < 2; i++)
        {
            using var client = await PassthroughSetup.ConnectAsync(host.Port());
            await client.SendAsync(hello);
            client.Shutdown(SocketShutdown.Send);
            (await RawBackend.ReadToEndAsync(client, Bounded)).Should().Equal("ok"u8.ToArray());
        }

        var failed = await host.Logs.WaitForAsync("PassthroughDestinationFailed");
        LogSink.Property(failed, "Destination").Should().Be($"127.0.0.1:{refused}");
        LogSink.Property(failed, "Error").Should().Be("ConnectionRefused");
        host.Logs.Named("PassthroughOpened").Should().HaveCount(2)
            .And.OnlyContain(e => LogSink.Property(e, "Destination") == $"127.0.0.1:{backend.Port}");
    }

    [Fact]
    public async Task Passthrough_DestinationDownThenUp_FirstClosedAndLoggedThenRelayed()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        var port = PassthroughSetup.RefusedPort();
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(port));

        using (var client = await PassthroughSetup.ConnectAsync(host.Port()))
        {
            await client.SendAsync(hello);
            (await ReadOrResetAsync(client)).Should().BeEmpty("with every destination down the connection is closed");
        }

        var unavailable = await host.Logs.WaitForAsync("PassthroughUnavailable");
        LogSink.Property(unavailable, "Destinations").Should().Be($"127.0.0.1:{port}");

        await using var backend = RawBackend.Start(async socket =>
        {
            await RawBackend.ReadToEndAsync(socket, Bounded);
            await socket.SendAsync("up"u8.ToArray());
        }, port);
        using (var client = await PassthroughSetup.ConnectAsync(host.Port()))
        {
            await client.SendAsync(hello);
            client.Shutdown(SocketShutdown.Send);
            (await RawBackend.ReadToEndAsync(client, Bounded)).Should().Equal("up"u8.ToArray());
        }
    }

    [Fact]
    public async Task Passthrough_NoTrafficForIdleTimeout_ClosedAsIdle()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var backend = RawBackend.Start(socket => RawBackend.ReadToEndAsync(socket, Bounded));
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(
            [$"127.0.0.1:{backend.Port}"], entry => entry["IdleTimeout"] = "00:00:00.500"));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello);

        (await ReadOrResetAsync(client)).Should().BeEmpty("the gateway closes an idle relay");
        var closed = await host.Logs.WaitForAsync("PassthroughClosed");
        LogSink.Property(closed, "Outcome").Should().Be("IdleTimeout");
    }

    [Fact]
    public async Task Passthrough_OpenAtShutdown_ClosedAtDrainDeadline()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var backend = RawBackend.Start(socket => RawBackend.ReadToEndAsync(socket, Bounded));
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(
            [$"127.0.0.1:{backend.Port}"], entry => entry["DrainTimeout"] = "00:00:00.500"));
        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello);
        await host.Logs.WaitForAsync("PassthroughOpened");

        await host.Gateway.StopAsync().WaitAsync(Bounded);

        (await ReadOrResetAsync(client)).Should().BeEmpty();
        var closed = await host.Logs.WaitForAsync("PassthroughClosed");
        LogSink.Property(closed, "Outcome").Should().Be("Shutdown");
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x07, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00 }, "is not a TLS handshake record")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00 }, "reads at most 16384")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 }, "not ClientHello")]
    [InlineData(new byte[] { 0x01, 0x02, 0x03, 0xFF }, "first byte 0x01")]
    public async Task Gateway_GarbageBytes_LoggedMalformedClientHelloAndClosed(byte[] garbage, string hint)
    {
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(PassthroughSetup.RefusedPort()));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(garbage);

        (await ReadOrResetAsync(client)).Should().BeEmpty();
        var logged = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("MalformedClientHello");
        LogSink.Property(logged, "Hint").Should().Contain(hint);
        host.Logs.Named("PassthroughOpened").Should().BeEmpty();
    }

    [Fact]
    public async Task Gateway_HelloCutShort_LoggedMalformedClientHello()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(PassthroughSetup.RefusedPort()));

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello.AsMemory(0, hello.Length / 2));
        client.Shutdown(SocketShutdown.Send);

        var logged = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("MalformedClientHello");
        LogSink.Property(logged, "Hint").Should().Contain("before its ClientHello was complete");
    }

    [Fact]
    public async Task Gateway_HelloStalls_LoggedHandshakeTimeout()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var host = await GatewayTestHost.StartAsync((config, dir) =>
        {
            PassthroughSetup.Entry(PassthroughSetup.RefusedPort())(config, dir);
            config["Gateway"]!["Listeners"]!["public"]!["HandshakeTimeout"] = "00:00:00.500";
        });

        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await client.SendAsync(hello.AsMemory(0, 10));

        (await ReadOrResetAsync(client)).Should().BeEmpty();
        var logged = await host.Logs.WaitForAsync("HandshakeFailed");
        LogSink.Property(logged, "Reason").Should().Be("HandshakeTimeout");
        LogSink.Property(logged, "Hint").Should().Contain("sent only 10 bytes");
    }

    /// <summary>Everything until the gateway closes; a reset counts as closed (bounded wait).</summary>
    private static async Task<byte[]> ReadOrResetAsync(Socket client)
    {
        try
        {
            return await RawBackend.ReadToEndAsync(client, Bounded);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
