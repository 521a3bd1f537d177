using System.Buffers;
using System.Net;
using FsCheck;
using FsCheck.Fluent;
using MtlsGateway.Connections.ProxyProtocol;
using MtlsGateway.Tests.Passthrough;
using MtlsGateway.Tests.ProxyProtocol;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>
/// The PROXY protocol parser reads the first bytes of every connection on a listener that accepts the header.
/// Random bytes behind each signature and mutated real v1/v2 headers, in random segments: it never throws, a header
/// it accepts lies within the buffer and the bound, and segmentation never changes the verdict.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProxyHeaderParserFuzzTests
{
    private const int Runs = 400;

    private static readonly IPEndPoint Source4 = new(IPAddress.Parse("203.0.113.7"), 51234);
    private static readonly IPEndPoint Destination4 = new(IPAddress.Parse("10.0.0.5"), 8443);
    private static readonly IPEndPoint Source6 = new(IPAddress.Parse("2001:db8::7"), 51234);
    private static readonly IPEndPoint Destination6 = new(IPAddress.Parse("fd00::5"), 8443);

    private static readonly byte[][] Samples =
    [
        ProxyHeaders.V1(Source4, Destination4),
        ProxyHeaders.V1(Source6, Destination6),
        ProxyHeaders.V2(Source4, Destination4),
        ProxyHeaders.V2(Source6, Destination6, ProxyHeaders.Tlv(0x01, "h2"u8.ToArray())),
        ProxyHeaders.V2Local(),
    ];

    [Fact]
    public void Parse_SignatureThenRandomBytes_NeverThrowsAndStaysBounded()
    {
        var input = Gen.Elements(ProxyHeaders.V2Signature, "PROXY "u8.ToArray(), "PROXY TCP4 "u8.ToArray(), [])
            .SelectMany(prefix => FuzzRuns.Bytes(6000).Select(tail => (byte[])[.. prefix, .. tail]))
            .SelectMany(bytes => FuzzRuns.Cuts(bytes.Length).Select(cuts => (bytes, cuts)));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(input.ToArbitrary(), c => Holds(c.bytes, c.cuts)));
    }

    [Fact]
    public void Parse_MutatedRealHeaders_NeverThrowsAndIgnoresSegmentation()
    {
        var input = Gen.Elements(Samples).SelectMany(Mutations.Of)
            .SelectMany(bytes => FuzzRuns.Cuts(bytes.Length).Select(cuts => (bytes, cuts)));
        FuzzRuns.Within(TimeSpan.FromSeconds(30), Runs, Prop.ForAll(input.ToArbitrary(), c => Holds(c.bytes, c.cuts)));
    }

    [Fact]
    public void Parse_EveryPrefixOfARealHeader_IsIncompleteUntilTheLastByte()
    {
        foreach (var sample in Samples)
        {
            for (var length = 1; length < sample.Length; length++)
            {
                ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(sample, 0, length), out _, out var problem)
                    .Should().Be(ProxyHeaderStatus.Incomplete, $"{length} bytes of a {sample.Length}-byte header ({problem})");
            }

            ProxyHeaderParser.TryParse(BufferSegment.Bytewise(sample), out var header, out _).Should().Be(ProxyHeaderStatus.Complete);
            header!.Length.Should().Be(sample.Length);
        }
    }

    private static bool Holds(byte[] bytes, int[] cuts)
    {
        ProxyHeaderStatus whole = default;
        ProxyHeader? wholeHeader = null;
        var allocated = FuzzRuns.Allocated(() => whole = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out wholeHeader, out _));
        var split = ProxyHeaderParser.TryParse(BufferSegment.Split(bytes, cuts), out var splitHeader, out _);

        allocated.Should().BeLessThan(16 * 1024, "parsing a {0}-byte buffer", bytes.Length);
        Enum.IsDefined(whole).Should().BeTrue();
        split.Should().Be(whole, "segmentation must not change the verdict");
        splitHeader.Should().BeEquivalentTo(wholeHeader);
        if (wholeHeader is not null)
        {
            wholeHeader.Length.Should().BeInRange(1, Math.Min(bytes.Length, ProxyHeaderParser.MaxV2Length));
            wholeHeader.Version.Should().BeOneOf(1, 2);
        }

        return true;
    }
}
