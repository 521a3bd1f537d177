using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PlainYarp;

/// <summary>
/// The <c>rawfwd</c> target's forwarding leg: no YARP and no <see cref="HttpClient"/>, only a pool of plain sockets to
/// one HTTP/1.1 backend, the request line and headers written in one send, the response head parsed by hand and its
/// Content-Length body copied back. It answers one question for issue 27: how much of the gap between plain YARP and
/// Kestrel answering itself is YARP + <c>SocketsHttpHandler</c>, and how much is having a second socket at all. It
/// is a measuring device, not a proxy: GET without a body, Content-Length responses, no timeouts, no error paths.
/// </summary>
internal sealed class RawForwarder(IPEndPoint backend)
{
    private static readonly byte[] Version = " HTTP/1.1\r\n"u8.ToArray();
    private readonly ConcurrentBag<Connection> _idle = [];

    public async Task ForwardAsync(HttpContext context)
    {
        if (!_idle.TryTake(out var connection))
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(backend);
            connection = new Connection(socket);
        }

        var buffer = connection.Buffer;
        var written = WriteRequestHead(context.Request, buffer);
        await connection.Socket.SendAsync(buffer.AsMemory(0, written), SocketFlags.None);

        // Read until the end of the response head; the body's first bytes may come with it.
        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = await connection.Socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("backend closed the connection");
            }

            filled += read;
        }

        var contentLength = ReadResponseHead(buffer.AsSpan(0, headEnd + 2), context.Response);
        var bodyStart = headEnd + 4;
        var inBuffer = filled - bodyStart;
        context.Response.ContentLength = contentLength;
        if (inBuffer > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(bodyStart, (int)Math.Min(inBuffer, contentLength)));
        }

        for (var left = contentLength - inBuffer; left > 0;)
        {
            var read = await connection.Socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("backend closed the connection");
            }

            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read));
            left -= read;
        }

        _idle.Add(connection);
    }

    private static int WriteRequestHead(HttpRequest request, byte[] buffer)
    {
        var span = buffer.AsSpan();
        var at = Encoding.ASCII.GetBytes(request.Method, span);
        span[at++] = (byte)' ';
        at += Encoding.ASCII.GetBytes(request.Path.Value ?? "/", span[at..]);
        at += Encoding.ASCII.GetBytes(request.QueryString.Value ?? "", span[at..]);
        Version.CopyTo(span[at..]);
        at += Version.Length;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                at += Encoding.ASCII.GetBytes(name, span[at..]);
                span[at++] = (byte)':';
                span[at++] = (byte)' ';
                at += Encoding.ASCII.GetBytes(value ?? "", span[at..]);
                span[at++] = (byte)'\r';
                span[at++] = (byte)'\n';
            }
        }

        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        return at;
    }

    // The status line and the headers, hop-by-hop ones left out; returns Content-Length.
    private static long ReadResponseHead(ReadOnlySpan<byte> head, HttpResponse response)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        response.StatusCode = Utf8Parser.TryParse(statusLine.Slice(statusLine.IndexOf((byte)' ') + 1, 3), out int status, out _)
            ? status : throw new InvalidDataException("malformed status line");
        long contentLength = 0;
        for (head = head[(lineEnd + 2)..]; !head.IsEmpty; head = head[(lineEnd + 2)..])
        {
            lineEnd = head.IndexOf("\r\n"u8);
            var line = head[..lineEnd];
            var colon = line.IndexOf((byte)':');
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = Utf8Parser.TryParse(value, out long length, out _) ? length : throw new InvalidDataException("malformed Content-Length");
            }
            else if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Append(name, Encoding.ASCII.GetString(value));
            }
        }

        return contentLength;
    }

    private sealed class Connection(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public byte[] Buffer { get; } = new byte[16 * 1024];
    }
}
