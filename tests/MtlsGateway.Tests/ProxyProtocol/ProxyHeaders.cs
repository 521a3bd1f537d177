using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace MtlsGateway.Tests.ProxyProtocol;

/// <summary>Builds PROXY protocol headers byte for byte, as a load balancer writes them.</summary>
internal static class ProxyHeaders
{
    public static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(IPEndPoint source, IPEndPoint destination) =>
        Encoding.ASCII.GetBytes($"PROXY {(source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "TCP4" : "TCP6")} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n");

    /// <summary>A v2 PROXY header for TCP over the endpoints' family, followed by <paramref name="tlvs"/>.</summary>
    public static byte[] V2(IPEndPoint source, IPEndPoint destination, byte[]? tlvs = null)
    {
        var v4 = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var addresses = new List<byte>();
        addresses.AddRange(source.Address.GetAddressBytes());
        addresses.AddRange(destination.Address.GetAddressBytes());
        addresses.AddRange(BigEndian((ushort)source.Port));
        addresses.AddRange(BigEndian((ushort)destination.Port));
        addresses.AddRange(tlvs ?? []);
        return Raw(0x21, v4 ? (byte)0x11 : (byte)0x21, [.. addresses]);
    }

    /// <summary>A v2 LOCAL header (a balancer's own health check), with <paramref name="body"/> after the fixed part.</summary>
    public static byte[] V2Local(byte[]? body = null) => Raw(0x20, 0x00, body ?? []);

    /// <summary>Any v2 header: version/command byte, family/transport byte, and the body whose length is announced.</summary>
    public static byte[] Raw(byte versionCommand, byte familyTransport, byte[] body, int? announcedLength = null) =>
        [.. V2Signature, versionCommand, familyTransport, .. BigEndian((ushort)(announcedLength ?? body.Length)), .. body];

    /// <summary>One TLV: type, 16-bit length, value.</summary>
    public static byte[] Tlv(byte type, byte[] value) => [type, .. BigEndian((ushort)value.Length), .. value];

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
