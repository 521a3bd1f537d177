using System.Buffers;
using System.Text;

namespace MtlsGateway.Connections;

/// <summary>
/// Reads a TLS ClientHello out of the bytes a client has sent so far, without consuming them. The hello may be split
/// over any number of TCP segments (a multi-segment sequence) and over several TLS records (RFC 8446 §5.1 lets a
/// handshake message span records). Each call walks complete records only and reports how many bytes it needs
/// before another call can get further, so a client that sends one byte at a time costs a length comparison per
/// byte instead of a re-parse (the approach of Kestrel's TlsListener).
/// </summary>
public static class ClientHelloParser
{
    /// <summary>The largest ClientHello handshake message read (4-byte header included). Hellos with large
    /// post-quantum key shares are ~2 KiB; anything bigger than a full record is refused, not buffered.</summary>
    public const int MaxHelloLength = 16 * 1024;

    /// <summary>The most TLS records a hello may be split into, so tiny records cannot stretch the bound.</summary>
    public const int MaxRecords = 64;

    private const int RecordHeaderLength = 5;
    private const int HandshakeHeaderLength = 4;
    private const int MaxRecordLength = 16 * 1024; // TLSPlaintext.length <= 2^14
    private const byte HandshakeRecord = 0x16;
    private const byte ClientHelloType = 1;
    private const short ServerNameExtension = 0;
    private const short AlpnExtension = 16;

    /// <summary>Parses the ClientHello at the start of <paramref name="buffer"/>.</summary>
    /// <param name="needed">When <see cref="ClientHelloStatus.Incomplete"/>: the buffer length worth parsing again at.</param>
    public static ClientHelloStatus TryParse(in ReadOnlySequence<byte> buffer, out ClientHello? hello, out string? problem, out long needed)
    {
        hello = null;
        problem = null;
        var reader = new SequenceReader<byte>(buffer);
        var header = 0;        // the handshake header's 4 bytes, accumulated big-endian
        var headerBytes = 0;
        var messageLength = -1; // handshake header + body, once the header is known
        long gathered = 0;     // handshake bytes inside complete records
        for (var records = 0; ; records++)
        {
            if (records == MaxRecords)
            {
                problem = $"the ClientHello is split over more than {MaxRecords} TLS records";
                needed = 0;
                return ClientHelloStatus.TooLarge;
            }

            var recordStart = reader.Consumed;
            if (reader.Remaining < RecordHeaderLength)
            {
                needed = recordStart + RecordHeaderLength;
                return ClientHelloStatus.Incomplete;
            }

            reader.TryRead(out var type);
            reader.TryRead(out var major);
            reader.Advance(1); // minor version: 0x01 (TLS 1.0 record layer) to 0x03 are all seen in the wild
            reader.TryReadBigEndian(out short rawLength);
            var length = (ushort)rawLength;
            needed = recordStart + RecordHeaderLength + length;
            if (type != HandshakeRecord || major != 3 || length is 0 or > MaxRecordLength)
            {
                problem = records == 0
                    ? $"the first record (type 0x{type:X2}, version {major}.x, length {length}) is not a TLS handshake record"
                    : $"record {records + 1} (type 0x{type:X2}, length {length}) arrived before the ClientHello was complete";
                return ClientHelloStatus.Malformed;
            }

            if (reader.Remaining < length)
            {
                return ClientHelloStatus.Incomplete;
            }

            // The handshake header may itself be split across records: take its bytes one at a time.
            var inRecord = 0;
            while (headerBytes < HandshakeHeaderLength && inRecord < length)
            {
                reader.TryRead(out var b);
                header = (header << 8) | b;
                headerBytes++;
                inRecord++;
            }

            reader.Advance(length - inRecord);
            gathered += length;
            if (messageLength < 0 && headerBytes == HandshakeHeaderLength)
            {
                if (header >>> 24 != ClientHelloType)
                {
                    problem = $"the first handshake message has type {header >>> 24}, not ClientHello (1)";
                    return ClientHelloStatus.Malformed;
                }

                messageLength = (header & 0xFFFFFF) + HandshakeHeaderLength;
                if (messageLength > MaxHelloLength)
                {
                    problem = $"the ClientHello is {messageLength} bytes; the gateway reads at most {MaxHelloLength} before routing by SNI";
                    return ClientHelloStatus.TooLarge;
                }
            }

            if (messageLength >= 0 && gathered >= messageLength)
            {
                return ParseMessage(buffer, messageLength, (int)reader.Consumed, out hello, out problem);
            }
        }
    }

    /// <summary>Copies the hello out of its records (at most 16 KiB, pooled) and reads the fields after the header.</summary>
    private static ClientHelloStatus ParseMessage(in ReadOnlySequence<byte> buffer, int messageLength, int wireLength, out ClientHello? hello, out string? problem)
    {
        var message = ArrayPool<byte>.Shared.Rent(messageLength);
        try
        {
            var reader = new SequenceReader<byte>(buffer);
            var copied = 0;
            while (copied < messageLength)
            {
                reader.Advance(3);
                reader.TryReadBigEndian(out short rawLength);
                var take = Math.Min((ushort)rawLength, messageLength - copied);
                reader.TryCopyTo(message.AsSpan(copied, take));
                reader.Advance((ushort)rawLength);
                copied += take;
            }

            var body = new ReadOnlySequence<byte>(message, HandshakeHeaderLength, messageLength - HandshakeHeaderLength);
            if (TryReadBody(body, out var serverName, out var alpn, out problem))
            {
                hello = new ClientHello(serverName, alpn, wireLength);
                return ClientHelloStatus.Complete;
            }

            hello = null;
            return ClientHelloStatus.Malformed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    private static bool TryReadBody(ReadOnlySequence<byte> body, out string? serverName, out string? alpn, out string? problem)
    {
        serverName = null;
        alpn = null;
        problem = "the ClientHello's lengths do not add up";
        var reader = new SequenceReader<byte>(body);
        // legacy_version (2), random (32), session id <0..32>, cipher suites <2..2^16-2>, compression methods <1..2^8-1>.
        if (!TrySkip(ref reader, 2 + 32) || !TrySkipVector8(ref reader) || !TrySkipVector16(ref reader) || !TrySkipVector8(ref reader))
        {
            return false;
        }

        if (reader.End)
        {
            return true; // no extensions at all (a TLS 1.0-1.2 client): no SNI
        }

        if (!TryReadVector16(ref reader, out var extensions) || !reader.End)
        {
            return false;
        }

        var entries = new SequenceReader<byte>(extensions);
        var sawServerName = false;
        while (!entries.End)
        {
            if (!entries.TryReadBigEndian(out short type) || !TryReadVector16(ref entries, out var data))
            {
                return false;
            }

            if (type == ServerNameExtension)
            {
                // RFC 8446 §4.2 forbids a repeated extension; two SNIs would let the gateway route by one name and the
                // TLS stack behind it (ours or a passthrough backend's) read the other. There must be exactly one.
                if (sawServerName)
                {
                    problem = "the ClientHello has two server_name extensions";
                    return false;
                }

                sawServerName = true;
                if (!TryReadServerName(data, out serverName, out problem))
                {
                    return false;
                }
            }

            if (type == AlpnExtension && !TryReadAlpn(data, out alpn))
            {
                problem = "the ALPN extension is malformed";
                return false;
            }
        }

        problem = null;
        return true;
    }

    /// <summary>RFC 6066 §3: a list of (name_type, name); the first host_name (type 0) is the SNI.</summary>
    private static bool TryReadServerName(ReadOnlySequence<byte> data, out string? serverName, out string? problem)
    {
        serverName = null;
        problem = "the server_name extension is malformed";
        var reader = new SequenceReader<byte>(data);
        if (!TryReadVector16(ref reader, out var list) || !reader.End)
        {
            return false;
        }

        var names = new SequenceReader<byte>(list);
        while (!names.End)
        {
            if (!names.TryRead(out var nameType) || !TryReadVector16(ref names, out var name))
            {
                return false;
            }

            if (nameType != 0 || serverName is not null)
            {
                continue;
            }

            if (name.Length is 0 or > 255 || !IsHostNameAscii(name))
            {
                problem = "the SNI host name is empty, too long or not printable ASCII";
                return false;
            }

            serverName = Encoding.ASCII.GetString(name);
        }

        problem = null;
        return true;
    }

    private static bool TryReadAlpn(ReadOnlySequence<byte> data, out string? alpn)
    {
        alpn = null;
        var reader = new SequenceReader<byte>(data);
        if (!TryReadVector16(ref reader, out var list) || !reader.End)
        {
            return false;
        }

        var protocols = new SequenceReader<byte>(list);
        var joined = new StringBuilder();
        while (!protocols.End)
        {
            if (!protocols.TryRead(out var length) || length == 0 || !protocols.TryReadExact(length, out var protocol))
            {
                return false;
            }

            // Protocol ids are opaque bytes (GREASE ones are not ASCII); Latin-1 keeps them readable in a log line.
            joined.Append(joined.Length == 0 ? string.Empty : ",").Append(Encoding.Latin1.GetString(protocol));
        }

        alpn = joined.Length == 0 ? null : joined.ToString();
        return true;
    }

    private static bool IsHostNameAscii(ReadOnlySequence<byte> name)
    {
        foreach (var segment in name)
        {
            foreach (var b in segment.Span)
            {
                if (b is <= 0x20 or >= 0x7F)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TrySkip(ref SequenceReader<byte> reader, int count)
    {
        if (reader.Remaining < count)
        {
            return false;
        }

        reader.Advance(count);
        return true;
    }

    private static bool TrySkipVector8(ref SequenceReader<byte> reader) =>
        reader.TryRead(out var length) && TrySkip(ref reader, length);

    private static bool TrySkipVector16(ref SequenceReader<byte> reader) => TryReadVector16(ref reader, out _);

    private static bool TryReadVector16(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> vector)
    {
        vector = default;
        return reader.TryReadBigEndian(out short length) && reader.TryReadExact((ushort)length, out vector);
    }
}
