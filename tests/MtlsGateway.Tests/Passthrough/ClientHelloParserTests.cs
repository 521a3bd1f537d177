using System.Buffers;
using MtlsGateway.Connections;
using MtlsGateway.Passthrough;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>The ClientHello parser against real hellos from .NET's TLS client, cut up every way a pipe can deliver them.</summary>
[Trait("Category", "Unit")]
public sealed class ClientHelloParserTests
{
    [Fact]
    public async Task Parse_RealHello_ReturnsSniAlpnAndLength()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2", "http/1.1");

        var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var parsed, out var problem, out _);

        status.Should().Be(ClientHelloStatus.Complete, problem);
        parsed!.ServerName.Should().Be("legacy.partner.test");
        parsed.ApplicationProtocols.Should().Be("h2,http/1.1");
        parsed.Length.Should().Be(hello.Length);
    }

    [Fact]
    public async Task Parse_HelloWithoutSni_HasNoServerName()
    {
        var hello = await ClientHellos.CaptureAsync(sni: null);

        ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var parsed, out _, out _).Should().Be(ClientHelloStatus.Complete);
        parsed!.ServerName.Should().BeNull();
        parsed.ApplicationProtocols.Should().BeNull();
    }

    [Fact]
    public async Task Parse_EverySplitAndOneByteSegments_SameResult()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test", "h2");

        for (var cut = 1; cut < hello.Length; cut++)
        {
            ClientHelloParser.TryParse(BufferSegment.Split(hello, cut), out var parsed, out _, out _).Should().Be(ClientHelloStatus.Complete);
            parsed!.ServerName.Should().Be("legacy.partner.test", $"split at {cut}");
        }

        ClientHelloParser.TryParse(BufferSegment.Bytewise(hello), out var bytewise, out _, out _).Should().Be(ClientHelloStatus.Complete);
        bytewise!.ServerName.Should().Be("legacy.partner.test");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(100)]
    [InlineData(16)]
    public async Task Parse_HelloSplitOverRecords_IsReassembled(int recordPayload)
    {
        var reframed = ClientHellos.Reframe(await ClientHellos.CaptureAsync("legacy.partner.test", "http/1.1"), recordPayload);

        var status = ClientHelloParser.TryParse(BufferSegment.Bytewise(reframed), out var parsed, out var problem, out _);

        status.Should().Be(ClientHelloStatus.Complete, problem);
        parsed!.ServerName.Should().Be("legacy.partner.test");
        parsed.ApplicationProtocols.Should().Be("http/1.1");
        parsed.Length.Should().Be(reframed.Length);
    }

    [Fact]
    public async Task Parse_EveryPrefix_IsIncompleteAndAsksForMoreWithinTheHello()
    {
        var hello = ClientHellos.Reframe(await ClientHellos.CaptureAsync("legacy.partner.test"), 100);
        var parses = 0;
        long needed = 1;
        for (var length = 1; length < hello.Length; length++)
        {
            if (length < needed)
            {
                continue; // what the reader does: no parse until the buffer reaches the length asked for
            }

            parses++;
            ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello, 0, length), out _, out _, out needed)
                .Should().Be(ClientHelloStatus.Incomplete, $"{length} of {hello.Length} bytes");
            needed.Should().BeGreaterThan(length).And.BeLessThanOrEqualTo(hello.Length);
        }

        parses.Should().BeLessThan(3 * (hello.Length / 105 + 2), "a byte-at-a-time client costs a parse per record, not per byte");
    }

    public static TheoryData<string, byte[], ClientHelloStatus> BadHellos => new()
    {
        { "record version 7.1", [0x16, 0x07, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00], ClientHelloStatus.Malformed },
        { "empty record", [0x16, 0x03, 0x01, 0x00, 0x00], ClientHelloStatus.Malformed },
        { "record over 16 KiB", [0x16, 0x03, 0x01, 0x40, 0x01], ClientHelloStatus.Malformed },
        { "ServerHello instead", [0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00], ClientHelloStatus.Malformed },
        { "hello of 64 KiB", [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00], ClientHelloStatus.TooLarge },
        { "hello shorter than its fixed fields", [0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00], ClientHelloStatus.Malformed },
        { "alert record inside the hello", [0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00, 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28], ClientHelloStatus.Malformed },
    };

    [Theory]
    [MemberData(nameof(BadHellos))]
    public void Parse_BadBytes_IsRefusedWithAProblem(string because, byte[] bytes, ClientHelloStatus expected)
    {
        var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(bytes), out var parsed, out var problem, out _);

        status.Should().Be(expected, because);
        parsed.Should().BeNull();
        problem.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Parse_CorruptExtensionsLength_IsMalformed()
    {
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        // Offset of the extensions length: record 5 + handshake header 4 + version 2 + random 32, then three vectors.
        var offset = 5 + 4 + 2 + 32;
        offset += 1 + hello[offset];
        offset += 2 + ((hello[offset] << 8) | hello[offset + 1]);
        offset += 1 + hello[offset];
        hello[offset] ^= 0x40;

        ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out _, out var problem, out _).Should().Be(ClientHelloStatus.Malformed);
        problem.Should().Contain("do not add up");
    }

    [Fact]
    public async Task Parse_TwoServerNameExtensions_IsMalformed()
    {
        // RFC 8446 §4.2: one extension of a type. With two, which name routes and which the TLS stack reads could differ.
        var hello = await ClientHellos.CaptureAsync("legacy.partner.test");
        var doubled = WithExtensionRepeated(hello, extensionType: 0);

        ClientHelloParser.TryParse(new ReadOnlySequence<byte>(doubled), out var parsed, out var problem, out _).Should().Be(ClientHelloStatus.Malformed);
        parsed.Should().BeNull();
        problem.Should().Contain("two server_name extensions");
    }

    [Fact]
    public async Task Parse_TooManyTinyRecords_IsTooLarge()
    {
        var reframed = ClientHellos.Reframe(await ClientHellos.CaptureAsync("legacy.partner.test"), 1);

        ClientHelloParser.TryParse(new ReadOnlySequence<byte>(reframed), out _, out var problem, out _).Should().Be(ClientHelloStatus.TooLarge);
        problem.Should().Contain("records");
    }

    /// <summary>A one-record hello with its extension <paramref name="extensionType"/> sent twice, every length adjusted.</summary>
    private static byte[] WithExtensionRepeated(byte[] hello, int extensionType)
    {
        var offset = 5 + 4 + 2 + 32;
        offset += 1 + hello[offset];
        offset += 2 + ((hello[offset] << 8) | hello[offset + 1]);
        offset += 1 + hello[offset];
        var extensionsLengthAt = offset;
        var position = offset + 2;
        while (((hello[position] << 8) | hello[position + 1]) != extensionType)
        {
            position += 4 + ((hello[position + 2] << 8) | hello[position + 3]);
        }

        var extension = hello.AsSpan(position, 4 + ((hello[position + 2] << 8) | hello[position + 3])).ToArray();
        byte[] doubled = [.. hello.AsSpan(0, position), .. extension, .. hello.AsSpan(position)];
        void Grow(int at, int bytes)
        {
            var value = 0;
            for (var i = 0; i < bytes; i++)
            {
                value = (value << 8) | doubled[at + i];
            }

            value += extension.Length;
            for (var i = bytes - 1; i >= 0; i--, value >>= 8)
            {
                doubled[at + i] = (byte)value;
            }
        }

        Grow(3, 2);                 // record length
        Grow(6, 3);                 // handshake message length
        Grow(extensionsLengthAt, 2); // extensions block length
        return doubled;
    }
}
