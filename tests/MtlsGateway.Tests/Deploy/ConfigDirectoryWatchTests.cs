using System.Globalization;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// The gateway follows its files by polling (<c>Gateway:Reload</c>) and must not also watch the directory they are
/// in. ASP.NET Core's default host does (a recursive FileSystemWatcher for appsettings.json's reload, kept for the
/// process's life), and every write under the config file's directory then woke the gateway: a busy access log
/// beside the config cost an idle gateway ~0.13 of a core in bench/. Read from the real process's inotify
/// descriptors (/proc/PID/fdinfo), which list every directory watched.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ConfigDirectoryWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheGatewayProcess_WatchesNeitherItsConfigDirectoryNorAnythingUnderIt()
    {
        using var folder = new ConfigFolder();
        var logs = Directory.CreateDirectory(Path.Combine(folder.Path, "logs")).FullName;
        await using var gateway = GatewayInstance.Start("no-watch", folder.ConfigPath);
        await gateway.WaitReadyAsync(Patience);

        var underConfig = new HashSet<ulong>();
        foreach (var directory in new[] { folder.Path, Path.Combine(folder.Path, "pki"), logs })
        {
            underConfig.Add(await InodeAsync(directory));
        }

        var watched = WatchedInodes(gateway.Process.Id);

        watched.Intersect(underConfig).Should().BeEmpty(
            "files written beside the config (a log, a rotation) must not wake the gateway; it polls its own files. Watched inodes: {0}",
            string.Join(", ", watched));
        gateway.Process.HasExited.Should().BeFalse(gateway.Process.Tail());
    }

    /// <summary>The inode of every directory or file an inotify descriptor of process <paramref name="pid"/> watches.</summary>
    private static List<ulong> WatchedInodes(int pid)
    {
        var inodes = new List<ulong>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is null || !target.Contains("inotify", StringComparison.Ordinal))
            {
                continue;
            }

            // e.g. "inotify wd:b ino:b1e4b8 sdev:fe00000 mask:40003c6 ..."
            foreach (var line in File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").Where(l => l.StartsWith("inotify ", StringComparison.Ordinal)))
            {
                var ino = line.Split(' ').First(f => f.StartsWith("ino:", StringComparison.Ordinal))[4..];
                inodes.Add(ulong.Parse(ino, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return inodes;
    }

    private static async Task<ulong> InodeAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%i", path], TimeSpan.FromSeconds(10));
        stat.ExitCode.Should().Be(0, stat.StandardError);
        return ulong.Parse(stat.StandardOutput.Trim(), CultureInfo.InvariantCulture);
    }
}
