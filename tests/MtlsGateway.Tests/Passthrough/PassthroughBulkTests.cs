using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using MtlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>Large transfers both ways at once through passthrough, checked end to end with SHA-256.</summary>
[Trait("Category", "EndToEnd")]
public sealed class PassthroughBulkTests(ITestOutputHelper output)
{
    private const int ClientSeed = 1;
    private const int BackendSeed = 2;

    [Fact]
    public async Task Passthrough_LargeTransfersBothWays_ChecksumsEqual()
    {
        const int mebibytes = 32;
        var (_, clientHash, backendSawHash, expectedClient, expectedBackend) = await TransferOverTlsAsync(mebibytes);

        clientHash.Should().Equal(expectedBackend, "the client received the backend's 32 MiB intact");
        backendSawHash.Should().Equal(expectedClient, "the backend received the client's 32 MiB intact");
    }

    /// <summary>Reports MB/s (no timing assertion). Size from MTLSGW_PASSTHROUGH_MIB (default 8 MiB; 256 for the report).</summary>
    [Fact]
    public async Task Passthrough_Throughput_IsReported()
    {
        var mebibytes = int.TryParse(Environment.GetEnvironmentVariable("MTLSGW_PASSTHROUGH_MIB"), CultureInfo.InvariantCulture, out var m) ? m : 8;

        var (tls, clientHash, backendSawHash, expectedClient, expectedBackend) = await TransferOverTlsAsync(mebibytes);

        clientHash.Should().Equal(expectedBackend);
        backendSawHash.Should().Equal(expectedClient);

        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        await using var backend = RawBackend.Start(async socket =>
        {
            await using var stream = new NetworkStream(socket);
            var total = 0L;
            var sink = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(sink)) > 0)
            {
                total += read; // discarded: the relay, not hashing, is what is timed
            }

            total.Should().Be((long)mebibytes * Payload.BlockSize + hello.Length);
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));
        using var client = await PassthroughSetup.ConnectAsync(host.Port());
        await using var stream = new NetworkStream(client);
        await stream.WriteAsync(hello);
        var watch = Stopwatch.StartNew();
        await Payload.WriteAsync(stream, ClientSeed, mebibytes, CancellationToken.None);
        client.Shutdown(SocketShutdown.Send);
        await (await backend.FirstConnectionAsync(TimeSpan.FromSeconds(15))).WaitAsync(TimeSpan.FromMinutes(2));
        var raw = watch.Elapsed;

        output.WriteLine($"passthrough {mebibytes} MiB one way, raw TCP through the relay: {mebibytes * 1.048576 / raw.TotalSeconds:0} MB/s");
        output.WriteLine($"passthrough {mebibytes} MiB each way at once over TLS end to end: {2 * mebibytes * 1.048576 / tls.TotalSeconds:0} MB/s total");
    }

    private static async Task<(TimeSpan Elapsed, byte[] ClientHash, byte[] BackendSawHash, byte[] ExpectedClient, byte[] ExpectedBackend)> TransferOverTlsAsync(int mebibytes)
    {
        var size = (long)mebibytes * Payload.BlockSize;
        await using var backend = await TlsBackend.StartAsync(async (connection, _) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await using var input = connection.Transport.Input.AsStream();
            await using var output = connection.Transport.Output.AsStream();
            var sending = Payload.WriteAsync(output, BackendSeed, mebibytes, timeout.Token);
            var received = await Payload.ReadAndHashAsync(input, size, timeout.Token);
            await sending;
            await output.WriteAsync(received, timeout.Token);
        });
        await using var host = await GatewayTestHost.StartAsync(PassthroughSetup.Entry(backend.Port));

        var watch = Stopwatch.StartNew();
        var (tls, _) = await PassthroughSetup.ConnectTlsAsync(host.Port(), "legacy.partner.test", backend.Root);
        await using (tls)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var sending = Payload.WriteAsync(tls, ClientSeed, mebibytes, timeout.Token);
            var clientHash = await Payload.ReadAndHashAsync(tls, size, timeout.Token);
            await sending;
            var backendSaw = new byte[32];
            await tls.ReadExactlyAsync(backendSaw, timeout.Token);
            var elapsed = watch.Elapsed;
            return (elapsed, clientHash, backendSaw, Payload.Sha256(ClientSeed, mebibytes), Payload.Sha256(BackendSeed, mebibytes));
        }
    }
}
