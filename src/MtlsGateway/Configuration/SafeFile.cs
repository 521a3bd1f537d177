using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace MtlsGateway.Configuration;

/// <summary>
/// The one way the gateway reads a file it is configured with: the config file, certificates, keys, CAs and CRLs,
/// at start, on <c>validate</c> and on every look of the reload watcher. Only a regular file is read (symlinks are
/// followed: a Kubernetes <c>..data</c> swap points at regular files); a FIFO, device, socket or folder is refused
/// without reading, and opening never blocks (a FIFO without a writer would hang the thread for good). At most
/// the cap + 1 bytes are read, so <c>/dev/zero</c> or a file that keeps growing is refused as too large, never
/// read until the process runs out of memory. Every failure is an error phrase for the caller's config path, never
/// an exception.
/// </summary>
public static class SafeFile
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Reads <paramref name="path"/> whole, within <paramref name="limit"/>; else <paramref name="error"/> says
    /// why, worded to follow the file's name ("'x.crl' is a FIFO (named pipe), ...").</summary>
    public static bool TryRead(string path, FileLimit limit, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        using var content = new MemoryStream();
        if (!TryConsume(path, limit, chunk => content.Write(chunk), out error))
        {
            return false;
        }

        bytes = content.ToArray();
        return true;
    }

    /// <summary>Appends the content of <paramref name="path"/> to <paramref name="hash"/> in chunks, with the same
    /// checks and cap as <see cref="TryRead"/> (the reload watcher: no file is held in memory whole).</summary>
    public static bool TryHash(string path, FileLimit limit, IncrementalHash hash, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return TryConsume(path, limit, chunk => hash.AppendData(chunk), out error);
    }

    private static bool TryConsume(string path, FileLimit limit, Action<ReadOnlySpan<byte>> consume, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var handle = OpenRegular(path, limit, out error);
            if (handle is null)
            {
                error ??= "cannot be opened";
                return false;
            }

            var buffer = new byte[ChunkSize];
            long total = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, total)) > 0)
            {
                total += read;
                if (total > limit.MaxBytes)
                {
                    error = limit.TooLarge;
                    return false;
                }

                consume(buffer.AsSpan(0, read));
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot be read: {ex.Message}";
            return false;
        }
    }

    /// <summary>The open file when it is a regular file within the cap; else null and why.</summary>
    private static SafeFileHandle? OpenRegular(string path, FileLimit limit, out string? error)
    {
        error = null;
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere .NET's own open; there FIFOs in config folders are not a deployment shape.
            var managed = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.GetLength(managed) > limit.MaxBytes)
            {
                managed.Dispose();
                error = limit.TooLarge;
                return null;
            }

            return managed;
        }

        var handle = LinuxFile.Open(path, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            error = OpenFailed(errno);
            return null;
        }

        var (type, size) = LinuxFile.Describe(handle);
        error = type switch
        {
            LinuxFile.FileType.Regular or LinuxFile.FileType.Unknown => size > limit.MaxBytes ? limit.TooLarge : null,
            LinuxFile.FileType.Directory => "is a folder, not a file",
            _ => $"is a {Name(type)}, not a regular file; the gateway reads only regular files (a symlink to one is fine)",
        };
        if (error is not null)
        {
            handle.Dispose();
            return null;
        }

        return handle;
    }

    private static string Name(LinuxFile.FileType type) => type switch
    {
        LinuxFile.FileType.Fifo => "FIFO (named pipe)",
        LinuxFile.FileType.CharacterDevice => "character device",
        LinuxFile.FileType.BlockDevice => "block device",
        LinuxFile.FileType.Socket => "socket",
        _ => "special file",
    };

    private static string OpenFailed(int errno) => errno switch
    {
        2 => "does not exist",                                   // ENOENT (or a dangling symlink)
        6 => "is a socket or a device with nothing behind it, not a regular file; the gateway reads only regular files", // ENXIO
        13 or 1 => "cannot be read: permission denied; check the file's permissions for the gateway's user", // EACCES, EPERM
        20 => "does not exist (a part of its path is not a folder)", // ENOTDIR
        40 => "is a symlink loop",                               // ELOOP
        _ => $"cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}",
    };
}
