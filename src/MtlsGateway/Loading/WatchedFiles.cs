using System.Security.Cryptography;
using System.Text;
using MtlsGateway.Configuration;

namespace MtlsGateway.Loading;

/// <summary>
/// A fingerprint of the config file and every file it names: their content, read through any symlinks. Comparing
/// content (not timestamps) notices a Kubernetes <c>..data</c> symlink swap, an editor's write-then-rename and a copy
/// that keeps the old modification time alike. Each file is read through <see cref="SafeFile"/> within its cap, in
/// chunks: a FIFO, a device or a runaway file is a state of the fingerprint (and an error of the reload that
/// follows), never a blocked or exhausted watcher.
/// </summary>
public static class WatchedFiles
{
    public static string Fingerprint(string configPath, IEnumerable<(string Path, FileLimit Limit)> referencedFiles)
    {
        ArgumentNullException.ThrowIfNull(referencedFiles);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, limit) in referencedFiles.Prepend((configPath, FileLimit.Config)))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
            if (!SafeFile.TryHash(path, limit, hash, out var error))
            {
                // Missing or unusable right now (mid-swap, or a FIFO): that state is part of the fingerprint, and
                // the reload that follows reports it if it lasts.
                hash.AppendData(Encoding.UTF8.GetBytes("<" + error + ">"));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
