using System.Security.Cryptography;

namespace MtlsGateway.Configuration;

/// <summary>
/// A fingerprint of the config file and every file it names: their content, read through any symlinks. Comparing
/// content (not timestamps) notices a Kubernetes <c>..data</c> symlink swap, an editor's write-then-rename and a copy
/// that keeps the old modification time alike; the files are small, so hashing them is cheap.
/// </summary>
public static class WatchedFiles
{
    public static string Fingerprint(string configPath, IEnumerable<string> referencedFiles)
    {
        ArgumentNullException.ThrowIfNull(referencedFiles);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in referencedFiles.Prepend(configPath).Distinct(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(path + "\n"));
            try
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Missing or unreadable right now (mid-swap): that state is part of the fingerprint, and the
                // reload that follows reports it if it lasts.
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes("<" + ex.GetType().Name + ">"));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
