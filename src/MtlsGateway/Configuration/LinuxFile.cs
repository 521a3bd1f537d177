using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MtlsGateway.Configuration;

/// <summary>
/// The two libc calls <see cref="SafeFile"/> needs on Linux and .NET does not offer: <c>open</c> with
/// <c>O_NONBLOCK</c> (a FIFO without a writer would block <see cref="FileStream"/>'s open forever) and the file type
/// of the open descriptor (.NET reports FIFOs and devices as <see cref="FileAttributes.Normal"/>). The type is read
/// with <c>statx</c>, whose buffer layout is the same on every Linux architecture, unlike <c>struct stat</c>.
/// Checking the open descriptor, not the path, leaves no gap for a file swapped between check and read.
/// </summary>
internal static partial class LinuxFile
{
    // Values shared by x86-64 and arm64 (asm-generic).
    private const int ORdOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28; // u16 stx_mode
    private const int StatxSizeOffset = 40; // u64 stx_size
    private const int EIntr = 4;

    /// <summary>File types (<c>S_IFMT</c> bits of <c>st_mode</c>).</summary>
    internal enum FileType
    {
        Unknown = 0,
        Fifo = 0x1000,
        CharacterDevice = 0x2000,
        Directory = 0x4000,
        BlockDevice = 0x6000,
        Regular = 0x8000,
        SymbolicLink = 0xA000,
        Socket = 0xC000,
    }

    /// <summary>Opens <paramref name="path"/> (following symlinks) for reading without ever blocking; -1 and errno on failure.</summary>
    public static SafeFileHandle Open(string path, out int errno)
    {
        int fd;
        do
        {
            fd = OpenNative(path, ORdOnly | ONonBlock | OCloExec | ONoCtty);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EIntr);

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The type and size of the open file; <see cref="FileType.Unknown"/> where statx is missing (old libc,
    /// a seccomp profile that refuses it): the caller's size cap still bounds what it reads.</summary>
    public static unsafe (FileType Type, long Size) Describe(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var buffer = stackalloc byte[StatxBufferSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxType | StatxSize, buffer) != 0)
            {
                return (FileType.Unknown, -1);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return (FileType.Unknown, -1);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        var mode = *(ushort*)(buffer + StatxModeOffset);
        var size = *(ulong*)(buffer + StatxSizeOffset);
        return ((FileType)(mode & 0xF000), size > long.MaxValue ? long.MaxValue : (long)size);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
