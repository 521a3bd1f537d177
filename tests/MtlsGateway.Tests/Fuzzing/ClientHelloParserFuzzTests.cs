using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using MtlsGateway.Connections;
using MtlsGateway.Passthrough;
using MtlsGateway.Tests.Passthrough;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>
/// The ClientHello parser reads bytes from anyone who connects, before any authentication. Random bytes and mutated
/// real hellos, cut into random TCP segments: it never throws, always reports a status, asks for more bytes only
/// beyond what it has, gives the same answer however the bytes are segmented, and allocates a bounded amount.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ClientHelloParserFuzzTests
{
    private const int Runs = 400;
    private static readonly Lazy<Task<byte[]>> RealHello = new(() => ClientHellos.CaptureAsync("legacy.partner.test", "h2", "http/1.1"));

    [Fact]
    public void Parse_RandomBytesInRandomSegments_NeverThrowsAndStaysBounded()
    {
        var input = FuzzRuns.Bytes(20_000).SelectMany(bytes => FuzzRuns.Cuts(bytes.Length).Select(cuts => (bytes, cuts)));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(input.ToArbitrary(), c => Holds(c.bytes, c.cuts)));
    }

    [Fact]
    public async Task Parse_MutatedRealHello_NeverThrowsAndIgnoresSegmentation()
    {
        var hello = await RealHello.Value;
        // Handshake-record-shaped inputs reach the deep paths (extensions, SNI, ALPN) that random bytes rarely do.
        var input = Mutations.Of(hello).SelectMany(bytes => FuzzRuns.Cuts(bytes.Length).Select(cuts => (bytes, cuts)));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(input.ToArbitrary(), c => Holds(c.bytes, c.cuts)));
    }

    [Fact]
    public async Task Parse_EveryPrefixOfARealHello_IsIncompleteUntilTheLastByte()
    {
        var hello = await RealHello.Value;

        for (var length = 0; length < hello.Length; length++)
        {
            var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello, 0, length), out _, out var problem, out var needed);
            status.Should().Be(ClientHelloStatus.Incomplete, $"a {length}-byte prefix is a hello still arriving ({problem})");
            needed.Should().BeGreaterThan(length);
        }

        ClientHelloParser.TryParse(BufferSegment.Bytewise(hello), out var parsed, out _, out _).Should().Be(ClientHelloStatus.Complete);
        parsed!.ServerName.Should().Be("legacy.partner.test");
        parsed.ApplicationProtocols.Should().Be("h2,http/1.1");
    }

    private static bool Holds(byte[] bytes, int[] cuts)
    {
        ClientHelloStatus whole = default, split = default;
        ClientHello? wholeHello = null, splitHello = null;
        long wholeNeeded = 0;
        var allocated = FuzzRuns.Allocated(() => whole = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(bytes), out wholeHello, out _, out wholeNeeded));
        split = ClientHelloParser.TryParse(BufferSegment.Split(bytes, cuts), out splitHello, out _, out var splitNeeded);

        // A hello is at most 16 KiB: whatever it is sent, the parser copies out no more than that and a little besides.
        allocated.Should().BeLessThan(64 * 1024, "parsing a {0}-byte buffer", bytes.Length);
        Enum.IsDefined(whole).Should().BeTrue();
        split.Should().Be(whole, "segmentation must not change the verdict");
        splitHello.Should().Be(wholeHello);
        if (whole == ClientHelloStatus.Incomplete)
        {
            wholeNeeded.Should().BeGreaterThan(bytes.Length, "Incomplete must ask for bytes it does not have");
            splitNeeded.Should().Be(wholeNeeded);
        }

        if (wholeHello is not null)
        {
            wholeHello.Length.Should().BeLessThanOrEqualTo(bytes.Length);
            (wholeHello.ServerName ?? string.Empty).Length.Should().BeLessThanOrEqualTo(ushort.MaxValue);
        }

        return true;
    }
}
