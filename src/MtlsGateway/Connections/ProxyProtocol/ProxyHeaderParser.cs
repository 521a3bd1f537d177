using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// Parses a PROXY protocol header (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt) at the start of a
/// possibly multi-segment buffer, without consuming anything: v1 (a text line of at most 107 bytes) and v2 (binary;
/// PROXY over TCP/IPv4 and TCP/IPv6, LOCAL, UNSPEC; TLVs checked for framing and skipped). Both forms are bounded
/// (<see cref="MaxV1Length"/>, <see cref="MaxV2Length"/>) so a peer cannot make the gateway buffer more.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The specification's bound for a v1 line, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>
    /// Our bound for a v2 header (16 fixed bytes + addresses + TLVs). The format allows 64 KiB; balancers send a few
    /// hundred bytes at most (AWS NLB's VPC endpoint TLV, HAProxy's ALPN/authority/unique-id TLVs).
    /// </summary>
    public const int MaxV2Length = 4096;

    private const int V2FixedLength = 16;
    private const int Ipv4AddressBlock = 12;
    private const int Ipv6AddressBlock = 36;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Signature => "PROXY "u8;

    public static ProxyHeaderStatus TryParse(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out string? problem)
    {
        header = null;
        problem = null;
        if (buffer.IsEmpty)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        var first = buffer.FirstSpan[0];
        if (first == V2Signature[0])
        {
            return StartsWith(buffer, V2Signature) switch
            {
                ProxyHeaderStatus.Complete => ParseV2(buffer, out header, out problem),
                var other => other,
            };
        }

        if (first == V1Signature[0])
        {
            return StartsWith(buffer, V1Signature) switch
            {
                ProxyHeaderStatus.Complete => ParseV1(buffer, out header, out problem),
                var other => other,
            };
        }

        return ProxyHeaderStatus.Absent;
    }

    /// <summary>Complete when the buffer starts with the whole signature, Incomplete for a prefix of it, else Absent.</summary>
    private static ProxyHeaderStatus StartsWith(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> signature)
    {
        var available = (int)Math.Min(buffer.Length, signature.Length);
        Span<byte> start = stackalloc byte[signature.Length];
        buffer.Slice(0, available).CopyTo(start);
        if (!start[..available].SequenceEqual(signature[..available]))
        {
            return ProxyHeaderStatus.Absent;
        }

        return available == signature.Length ? ProxyHeaderStatus.Complete : ProxyHeaderStatus.Incomplete;
    }

    private static ProxyHeaderStatus ParseV2(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out string? problem)
    {
        header = null;
        problem = null;
        if (buffer.Length < V2FixedLength)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        Span<byte> fixedPart = stackalloc byte[V2FixedLength];
        buffer.Slice(0, V2FixedLength).CopyTo(fixedPart);
        var version = fixedPart[12] >> 4;
        var command = fixedPart[12] & 0x0F;
        var family = fixedPart[13] >> 4;
        var transport = fixedPart[13] & 0x0F;
        var length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        if (version != 2)
        {
            return Invalid(out problem, $"v2 signature with version {version}; only version 2 exists");
        }

        if (command > 1)
        {
            return Invalid(out problem, $"v2 command 0x{command:X} is neither LOCAL (0) nor PROXY (1)");
        }

        var total = V2FixedLength + length;
        if (total > MaxV2Length)
        {
            return Invalid(out problem, $"v2 header of {total} bytes is over the gateway's {MaxV2Length}-byte bound");
        }

        if (buffer.Length < total)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        // LOCAL: the balancer speaking for itself (health checks); whatever follows the fixed part is skipped.
        if (command == 0)
        {
            header = new ProxyHeader(2, IsLocal: true, null, null, total);
            return ProxyHeaderStatus.Complete;
        }

        var addressBlock = (family, transport) switch
        {
            (0, _) => 0,
            (1, 1) => Ipv4AddressBlock,
            (2, 1) => Ipv6AddressBlock,
            _ => -1,
        };
        if (addressBlock < 0)
        {
            return Invalid(out problem, $"v2 address family 0x{family:X} with transport 0x{transport:X}; the gateway accepts TCP over IPv4 or IPv6 (or UNSPEC)");
        }

        if (length < addressBlock)
        {
            return Invalid(out problem, $"v2 header announces {length} bytes after the fixed part, fewer than the {addressBlock} its address family needs");
        }

        if (!TlvsAreFramed(buffer.Slice(V2FixedLength + addressBlock, length - addressBlock)))
        {
            return Invalid(out problem, "a v2 TLV runs past the end of the header");
        }

        if (addressBlock == 0)
        {
            header = new ProxyHeader(2, IsLocal: false, null, null, total);
            return ProxyHeaderStatus.Complete;
        }

        Span<byte> addresses = stackalloc byte[Ipv6AddressBlock];
        addresses = addresses[..addressBlock];
        buffer.Slice(V2FixedLength, addressBlock).CopyTo(addresses);
        var size = addressBlock == Ipv4AddressBlock ? 4 : 16;
        var source = new IPAddress(addresses[..size]);
        var destination = new IPAddress(addresses.Slice(size, size));
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size)..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[((2 * size) + 2)..]);
        header = new ProxyHeader(2, IsLocal: false, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), total);
        return ProxyHeaderStatus.Complete;
    }

    private static bool TlvsAreFramed(ReadOnlySequence<byte> tlvs)
    {
        var reader = new SequenceReader<byte>(tlvs);
        while (!reader.End)
        {
            if (!reader.TryRead(out _) || !reader.TryReadBigEndian(out short length) || reader.Remaining < (ushort)length)
            {
                return false;
            }

            reader.Advance((ushort)length);
        }

        return true;
    }

    private static ProxyHeaderStatus ParseV1(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out string? problem)
    {
        header = null;
        problem = null;
        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxV1Length));
        var reader = new SequenceReader<byte>(window);
        if (!reader.TryReadTo(out ReadOnlySpan<byte> line, "\r\n"u8, advancePastDelimiter: true))
        {
            if (window.PositionOf((byte)'\n') is not null)
            {
                return Invalid(out problem, "v1 line ends with a bare LF; the specification requires CRLF");
            }

            return window.Length >= MaxV1Length
                ? Invalid(out problem, $"v1 line has no CRLF within {MaxV1Length} bytes")
                : ProxyHeaderStatus.Incomplete;
        }

        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return Invalid(out problem, $"v1 line holds the non-printable byte 0x{b:X2}");
            }
        }

        var parts = Encoding.ASCII.GetString(line).Split(' ');
        var length = (int)reader.Consumed;
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            // The balancer could not tell the client's address: keep the real endpoints; the rest of the line is ignored.
            header = new ProxyHeader(1, IsLocal: false, null, null, length);
            return ProxyHeaderStatus.Complete;
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            return Invalid(out problem, "v1 line is not 'PROXY TCP4|TCP6 SOURCE DESTINATION SRCPORT DSTPORT' (single spaces) nor 'PROXY UNKNOWN'");
        }

        var v4 = parts[1] == "TCP4";
        if (!TryParseAddress(parts[2], v4, out var source) || !TryParseAddress(parts[3], v4, out var destination))
        {
            return Invalid(out problem, $"v1 {parts[1]} line carries an address that is not {(v4 ? "a dotted IPv4 address" : "an IPv6 address")}");
        }

        if (!TryParsePort(parts[4], out var sourcePort) || !TryParsePort(parts[5], out var destinationPort))
        {
            return Invalid(out problem, "v1 line carries a port that is not a decimal number from 0 to 65535");
        }

        header = new ProxyHeader(1, IsLocal: false, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), length);
        return ProxyHeaderStatus.Complete;
    }

    private static bool TryParseAddress(string text, bool v4, out IPAddress address)
    {
        // IPAddress.TryParse also takes "1" or "0x7f.1" for IPv4: insist on the four dotted decimals the format uses.
        if (v4 && (text.Count(c => c == '.') != 3 || !text.All(c => c == '.' || char.IsAsciiDigit(c))))
        {
            address = IPAddress.None;
            return false;
        }

        if (!IPAddress.TryParse(text, out var parsed)
            || parsed.AddressFamily != (v4 ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            address = IPAddress.None;
            return false;
        }

        address = parsed;
        return true;
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5
            && (text.Length == 1 || text[0] != '0')
            && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port <= 65535;
    }

    private static ProxyHeaderStatus Invalid(out string? problem, string text)
    {
        problem = text;
        return ProxyHeaderStatus.Invalid;
    }
}
