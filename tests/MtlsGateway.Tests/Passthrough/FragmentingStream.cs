namespace MtlsGateway.Tests.Passthrough;

/// <summary>
/// Wraps a client's network stream so that its first write — the ClientHello — is re-framed into TLS records of
/// <c>recordPayload</c> bytes and sent one byte per write (each its own TCP segment with Nagle off): the worst
/// fragmentation a peer may legally produce. Later writes pass through.
/// </summary>
internal sealed class FragmentingStream(Stream inner, int recordPayload) : Stream
{
    private bool _helloSent;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_helloSent || buffer.Length < 5 || buffer.Span[0] != 0x16)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        _helloSent = true;
        var recordLength = (buffer.Span[3] << 8) | buffer.Span[4];
        var hello = buffer[..(5 + recordLength)].ToArray();
        foreach (var b in ClientHellos.Reframe(hello, recordPayload))
        {
            await inner.WriteAsync(new[] { b }, cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        if (buffer.Length > hello.Length)
        {
            await inner.WriteAsync(buffer[hello.Length..], cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
