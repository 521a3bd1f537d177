using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// Writes a PROXY protocol v2 header, so a passthrough destination learns the real client address just as the
/// gateway did (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt, section 2.2).
/// </summary>
public static class ProxyHeaderWriter
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>A PROXY (TCP) header for the two endpoints, or a LOCAL one when either is unknown or the families differ.</summary>
    public static byte[] V2(IPEndPoint? source, IPEndPoint? destination)
    {
        var (src, dst) = (Normalize(source), Normalize(destination));
        if (src is null || dst is null || src.AddressFamily != dst.AddressFamily)
        {
            return [.. Signature, 0x20, 0x00, 0x00, 0x00]; // v2 LOCAL, UNSPEC, no addresses
        }

        var v4 = src.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = v4 ? 4 : 16;
        var header = new byte[16 + (2 * addressLength) + 4];
        Signature.CopyTo(header, 0);
        header[12] = 0x21; // version 2, PROXY
        header[13] = v4 ? (byte)0x11 : (byte)0x21; // TCP over IPv4 / IPv6
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)((2 * addressLength) + 4));
        src.Address.TryWriteBytes(header.AsSpan(16, addressLength), out _);
        dst.Address.TryWriteBytes(header.AsSpan(16 + addressLength, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * addressLength)), (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * addressLength)), (ushort)dst.Port);
        return header;
    }

    // Dual-mode sockets report IPv4 clients as ::ffff:a.b.c.d; send them as the IPv4 they are.
    private static IPEndPoint? Normalize(IPEndPoint? endPoint) =>
        endPoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
