using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MtlsGateway.Passthrough;

/// <summary>
/// Moves bytes from one socket to another inside the kernel with Linux <c>splice(2)</c> through a pipe, as HAProxy
/// does: the bytes never enter user space, which saves the two copies (kernel → buffer → kernel) a managed
/// receive + send costs per chunk. Waiting stays .NET's: a zero-byte receive completes when <c>from</c> is readable,
/// and when <c>to</c> cannot take more the bytes already in the pipe go through a managed send, which waits for room
/// (backpressure as before). Only for sockets .NET already drives non-blocking; anywhere else
/// <see cref="TryCreate"/> returns null and the relay copies as it always did.
/// </summary>
internal sealed partial class SocketSplice : IDisposable
{
    private const int Chunk = 64 * 1024;          // the default pipe capacity on Linux (16 pages)
    private const int WantedCapacity = 256 * 1024; // fewer splices per MiB; pages are only taken while bytes wait in it
    private const uint SpliceMove = 1;            // SPLICE_F_MOVE
    private const uint SpliceNonBlock = 2;        // SPLICE_F_NONBLOCK: never wait on the pipe
    private const int PipeNonBlock = 0x800;       // O_NONBLOCK
    private const int PipeCloseOnExec = 0x80000;  // O_CLOEXEC
    private const int GetStatusFlags = 3;         // F_GETFL
    private const int Again = 11;                 // EAGAIN (== EWOULDBLOCK on Linux)
    private const int Interrupted = 4;            // EINTR
    private const int SetPipeSize = 1031;         // F_SETPIPE_SZ

    private readonly Socket _from;
    private readonly Socket _to;
    private readonly int _fromFd;
    private readonly int _toFd;
    private readonly int _pipeRead;
    private readonly int _pipeWrite;
    private readonly int _capacity;
    private byte[]? _spill;
    private bool _disposed;

    private SocketSplice(Socket from, Socket to, int pipeRead, int pipeWrite)
    {
        _from = from;
        _to = to;
        _pipeRead = pipeRead;
        _pipeWrite = pipeWrite;

        // Best effort: above fs.pipe-max-size (1 MiB by default) the kernel refuses and the pipe keeps 64 KiB.
        var capacity = Fcntl(pipeWrite, SetPipeSize, WantedCapacity);
        _capacity = capacity > 0 ? capacity : Chunk;

        // Held for the splice's life, so a socket disposed meanwhile cannot hand its descriptor number to another file.
        var added = false;
        from.SafeHandle.DangerousAddRef(ref added);
        added = false;
        to.SafeHandle.DangerousAddRef(ref added);
        _fromFd = (int)from.SafeHandle.DangerousGetHandle();
        _toFd = (int)to.SafeHandle.DangerousGetHandle();
    }

    /// <summary>A splice from <paramref name="from"/> to <paramref name="to"/>, or null where it cannot work (not Linux,
    /// no pipe, a socket not in non-blocking mode): the caller then copies through a buffer.</summary>
    public static SocketSplice? TryCreate(Socket from, Socket to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (!OperatingSystem.IsLinux() || !NonBlocking(from) || !NonBlocking(to))
        {
            return null;
        }

        Span<int> fds = stackalloc int[2];
        try
        {
            if (Pipe2(ref MemoryMarshal.GetReference(fds), PipeNonBlock | PipeCloseOnExec) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return new SocketSplice(from, to, fds[0], fds[1]);
    }

    /// <summary>Waits until the source has bytes (or ended) and takes what it has, up to the pipe's capacity, into
    /// the pipe; hand them on with <see cref="DrainAsync"/> before filling again.</summary>
    /// <returns>The bytes taken; 0 when the source sent FIN.</returns>
    /// <exception cref="SocketException">The source failed (reset).</exception>
    public async ValueTask<int> FillAsync(CancellationToken cancellation)
    {
        while (true)
        {
            // Try first: while the source streams, its socket holds more than one pipe's worth, and asking .NET to
            // wait for readability would cost a syscall (and maybe a thread hop) per chunk for nothing.
            var taken = Splice(_fromFd, _pipeWrite, _capacity);
            if (taken >= 0)
            {
                return taken;
            }

            await _from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellation);
        }
    }

    /// <summary>Empties the pipe (<paramref name="pending"/> bytes) into the destination: spliced while it takes
    /// bytes, else sent from a buffer.</summary>
    /// <exception cref="SocketException">The destination failed (reset, broken pipe).</exception>
    public async ValueTask DrainAsync(int pending, CancellationToken cancellation)
    {
        while (pending > 0)
        {
            var given = Splice(_pipeRead, _toFd, pending);
            if (given > 0)
            {
                pending -= given;
                continue;
            }

            // The destination's send buffer is full: take the rest out of the pipe and let .NET wait for room.
            _spill ??= ArrayPool<byte>.Shared.Rent(Chunk);
            var read = ReadPipe(_spill.AsSpan(0, Math.Min(pending, _spill.Length)));
            await _to.SendAsync(_spill.AsMemory(0, read), SocketFlags.None, cancellation);
            pending -= read;
        }
    }

    /// <returns>Bytes moved, 0 at end of input, -1 for EAGAIN.</returns>
    private static int Splice(int from, int to, int length)
    {
        while (true)
        {
            var moved = SpliceNative(from, IntPtr.Zero, to, IntPtr.Zero, (nuint)length, SpliceMove | SpliceNonBlock);
            if (moved >= 0)
            {
                return (int)moved;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == Again)
            {
                return -1;
            }

            if (error != Interrupted)
            {
                throw new SocketException(error);
            }
        }
    }

    private int ReadPipe(Span<byte> into)
    {
        while (true)
        {
            var read = ReadNative(_pipeRead, ref MemoryMarshal.GetReference(into), (nuint)into.Length);
            if (read > 0)
            {
                return (int)read;
            }

            var error = Marshal.GetLastPInvokeError();
            if (read < 0 && error == Interrupted)
            {
                continue;
            }

            // The pipe held these bytes a moment ago and only this relay reads it.
            throw new SocketException(read < 0 ? error : Again);
        }
    }

    private static bool NonBlocking(Socket socket)
    {
        try
        {
            var flags = Fcntl((int)socket.SafeHandle.DangerousGetHandle(), GetStatusFlags, 0);
            return flags >= 0 && (flags & PipeNonBlock) != 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _ = Close(_pipeRead);
        _ = Close(_pipeWrite);
        _from.SafeHandle.DangerousRelease();
        _to.SafeHandle.DangerousRelease();
        if (_spill is not null)
        {
            ArrayPool<byte>.Shared.Return(_spill);
        }
    }

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    private static partial nint SpliceNative(int fdIn, IntPtr offIn, int fdOut, IntPtr offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
