using System.Buffers;
using System.Net;
using System.Text;
using MtlsGateway.Connections.ProxyProtocol;
using MtlsGateway.Tests.Passthrough;

namespace MtlsGateway.Tests.ProxyProtocol;

/// <summary>The PROXY protocol parser against the specification's v1 and v2 forms, over single- and multi-segment
/// buffers, and its bounds.</summary>
[Trait("Category", "Unit")]
public sealed class ProxyHeaderParserTests
{
    private static readonly IPEndPoint Client4 = new(IPAddress.Parse("203.0.113.7"), 51234);
    private static readonly IPEndPoint Server4 = new(IPAddress.Parse("10.0.0.5"), 8443);
    private static readonly IPEndPoint Client6 = new(IPAddress.Parse("2001:db8::7"), 40000);
    private static readonly IPEndPoint Server6 = new(IPAddress.Parse("2001:db8::1"), 443);
    private static readonly byte[] ClientHelloStart = [0x16, 0x03, 0x01, 0x02, 0x00];

    public static TheoryData<string, byte[], IPEndPoint, IPEndPoint, int> ValidHeaders() => new()
    {
        { "v1 TCP4", ProxyHeaders.V1(Client4, Server4), Client4, Server4, 1 },
        { "v1 TCP6", ProxyHeaders.V1(Client6, Server6), Client6, Server6, 1 },
        { "v2 TCP4", ProxyHeaders.V2(Client4, Server4), Client4, Server4, 2 },
        { "v2 TCP6", ProxyHeaders.V2(Client6, Server6), Client6, Server6, 2 },
        { "v2 TCP4 with TLVs", ProxyHeaders.V2(Client4, Server4, [.. ProxyHeaders.Tlv(0x01, "h2"u8.ToArray()), .. ProxyHeaders.Tlv(0xEA, new byte[40])]), Client4, Server4, 2 },
    };

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Parse_ValidHeaderFollowedByClientHello_ReturnsAddressesAndExactLength(string name, byte[] header, IPEndPoint source, IPEndPoint destination, int version)
    {
        byte[] wire = [.. header, .. ClientHelloStart];
        foreach (var buffer in new[] { new ReadOnlySequence<byte>(wire), BufferSegment.Bytewise(wire), BufferSegment.Split(wire, 3, 13, 17) })
        {
            var status = ProxyHeaderParser.TryParse(buffer, out var parsed, out var problem);

            status.Should().Be(ProxyHeaderStatus.Complete, $"{name}: {problem}");
            parsed!.Version.Should().Be(version);
            parsed.IsLocal.Should().BeFalse();
            parsed.Source.Should().Be(source);
            parsed.Destination.Should().Be(destination);
            parsed.Length.Should().Be(header.Length, "the client's bytes behind the header must not be consumed");
        }
    }

    [Fact]
    public void Parse_EveryPrefixOfAHeader_IsIncomplete()
    {
        foreach (var header in new[] { ProxyHeaders.V1(Client4, Server4), ProxyHeaders.V2(Client6, Server6, ProxyHeaders.Tlv(0x04, new byte[8])) })
        {
            for (var length = 1; length < header.Length; length++)
            {
                ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(header, 0, length), out _, out var problem)
                    .Should().Be(ProxyHeaderStatus.Incomplete, $"{length} of {header.Length} bytes: {problem}");
            }
        }
    }

    [Fact]
    public void Parse_V2Local_KeepsRealAddressesAndSkipsTheBody()
    {
        var header = ProxyHeaders.V2Local(new byte[12]);

        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>([.. header, .. ClientHelloStart]), out var parsed, out _).Should().Be(ProxyHeaderStatus.Complete);

        parsed!.IsLocal.Should().BeTrue();
        parsed.Source.Should().BeNull();
        parsed.Length.Should().Be(28);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void Parse_V1Unknown_KeepsRealAddresses(string line)
    {
        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line + "GET")), out var parsed, out _).Should().Be(ProxyHeaderStatus.Complete);

        parsed!.Source.Should().BeNull();
        parsed.Length.Should().Be(line.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' })]
    [InlineData(new byte[] { (byte)'P', (byte)'O', (byte)'S', (byte)'T' })]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'O', (byte)'X', (byte)'Y', (byte)'!' })]
    [InlineData(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x01 })]
    public void Parse_ClientBytesWithoutSignature_IsAbsent(byte[] bytes)
    {
        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var parsed, out _).Should().Be(ProxyHeaderStatus.Absent);
        parsed.Should().BeNull();
    }

    public static TheoryData<string, byte[], string> InvalidHeaders() => new()
    {
        { "v1 without CRLF in 107 bytes", Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120)), "no CRLF within 107" },
        { "v1 bare LF", Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), "bare LF" },
        { "v1 IPv6 address in TCP4", Encoding.ASCII.GetBytes("PROXY TCP4 ::1 ::1 1 2\r\n"), "dotted IPv4" },
        { "v1 short IPv4 form", Encoding.ASCII.GetBytes("PROXY TCP4 1 5.6.7.8 1 2\r\n"), "dotted IPv4" },
        { "v1 port over 65535", Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), "port" },
        { "v1 leading zero port", Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 5.6.7.8 0443 2\r\n"), "port" },
        { "v1 double space", Encoding.ASCII.GetBytes("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"), "single spaces" },
        { "v1 unknown protocol", Encoding.ASCII.GetBytes("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), "TCP4|TCP6" },
        { "v2 version 1", ProxyHeaders.Raw(0x11, 0x11, new byte[12]), "version 1" },
        { "v2 command 2", ProxyHeaders.Raw(0x22, 0x11, new byte[12]), "command 0x2" },
        { "v2 UDP", ProxyHeaders.Raw(0x21, 0x12, new byte[12]), "TCP over IPv4 or IPv6" },
        { "v2 unix socket", ProxyHeaders.Raw(0x21, 0x31, new byte[216]), "TCP over IPv4 or IPv6" },
        { "v2 IPv6 with IPv4-sized block", ProxyHeaders.Raw(0x21, 0x21, new byte[12]), "fewer than the 36" },
        { "v2 TLV overrun", ProxyHeaders.Raw(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x09, 0x41]), "TLV runs past" },
        { "v2 over the size bound", ProxyHeaders.Raw(0x21, 0x11, [], announcedLength: 5000), "4096-byte bound" },
    };

    [Theory]
    [MemberData(nameof(InvalidHeaders))]
    public void Parse_MalformedHeader_IsInvalidWithProblem(string name, byte[] bytes, string expected)
    {
        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var parsed, out var problem).Should().Be(ProxyHeaderStatus.Invalid, name);

        parsed.Should().BeNull();
        problem.Should().Contain(expected);
    }
}
