using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace MtlsLoad;

/// <summary>
/// HTTP/1.1 over one <see cref="SslStream"/>: writes pre-built request bytes and parses just enough of the response
/// (status, Content-Length, chunked, Connection: close) to find its end. No allocation per request.
/// </summary>
internal sealed class Http1Connection : IAsyncDisposable
{
    private readonly SslStream _ssl;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    private Http1Connection(SslStream ssl, int bufferSize)
    {
        _ssl = ssl;
        _buffer = new byte[bufferSize];
    }

    public bool LocalCertificateSent => _ssl.LocalCertificate is not null;

    public static async Task<Http1Connection> OpenAsync(
        IPEndPoint endpoint, SslClientAuthenticationOptions tls, int bufferSize, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? ssl = null;
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(tls, cancellationToken);
            return new Http1Connection(ssl, bufferSize);
        }
        catch
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync();
            }

            socket.Dispose();
            throw;
        }
    }

    public static byte[] BuildRequest(string host, string path, bool close, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        System.Text.Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mtls-load\r\nAccept: */*\r\n{(close ? "Connection: close\r\n" : string.Empty)}"
            + string.Concat((headers ?? []).Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n");

    /// <summary>Sends one request and reads its whole response; the body is counted and discarded.</summary>
    public async ValueTask<Http1Response> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        await _ssl.WriteAsync(request, cancellationToken);
        int headerLength;
        while ((headerLength = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        var head = ParseHead(_buffer.AsSpan(_start, headerLength));
        _start += headerLength + 4;
        long body;
        var keepAlive = !head.Close;
        if (head.ContentLength >= 0)
        {
            body = head.ContentLength;
            await SkipAsync(body, cancellationToken);
        }
        else if (head.Chunked)
        {
            body = await SkipChunkedAsync(cancellationToken);
        }
        else if (head.Status is 204 or 304 or < 200)
        {
            body = 0;
        }
        else
        {
            body = await SkipToEndAsync(cancellationToken);
            keepAlive = false;
        }

        return new Http1Response(head.Status, body, keepAlive);
    }

    public ValueTask DisposeAsync() => _ssl.DisposeAsync();

    private static ResponseHead ParseHead(ReadOnlySpan<byte> head)
    {
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("not an HTTP/1.x response");
        }

        long contentLength = -1;
        var chunked = false;
        var close = head[7] == (byte)'0';
        var lineEnd = head.IndexOf("\r\n"u8);
        while (lineEnd >= 0)
        {
            head = head[(lineEnd + 2)..];
            lineEnd = head.IndexOf("\r\n"u8);
            var line = lineEnd >= 0 ? head[..lineEnd] : head;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (System.Text.Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                _ = Utf8Parser.TryParse(value, out contentLength, out _);
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = value.IndexOf("close"u8) >= 0 || value.IndexOf("Close"u8) >= 0;
            }
        }

        return new ResponseHead(status, chunked ? -1 : contentLength, chunked, close);
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new InvalidDataException("response head larger than the buffer");
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _ssl.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
            if (count == 0)
            {
                return;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask<long> SkipChunkedAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            var semicolon = line.IndexOf(';');
            var size = long.Parse(semicolon >= 0 ? line[..semicolon] : line, System.Globalization.NumberStyles.HexNumber,
                System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                    // trailers
                }

                return total;
            }

            total += size;
            await SkipAsync(size + 2, cancellationToken);
        }
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int length;
        while ((length = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        var line = System.Text.Encoding.ASCII.GetString(_buffer, _start, length).Trim();
        _start += length + 2;
        return line;
    }

    private async ValueTask<long> SkipToEndAsync(CancellationToken cancellationToken)
    {
        long total = _end - _start;
        _start = _end = 0;
        int read;
        while ((read = await _ssl.ReadAsync(_buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    private readonly record struct ResponseHead(int Status, long ContentLength, bool Chunked, bool Close);
}
