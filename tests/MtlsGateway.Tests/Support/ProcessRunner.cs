using System.ComponentModel;
using System.Diagnostics;

namespace MtlsGateway.Tests.Support;

/// <summary>
/// Runs a real command-line tool (openssl, curl) with a time limit, so tests can assert what the
/// tools users reach for actually say about our certificates and endpoints.
/// </summary>
internal static class ProcessRunner
{
    /// <summary>What a finished command returned.</summary>
    internal sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>Both streams: tools disagree about where they print verdicts (openssl's "verify OK" is on stderr).</summary>
        public string Output => StandardOutput + StandardError;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> (passed as-is, no shell), with
    /// stdin closed. Kills the process tree and throws <see cref="TimeoutException"/> if it has not exited
    /// within <paramref name="timeout"/> (or <see cref="OperationCanceledException"/> when cancelled).
    /// </summary>
    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var commandLine = string.Join(' ', [fileName, .. startInfo.ArgumentList]);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{commandLine}': {e.Message}", e);
        }

        // Tools that fall back to reading stdin (openssl without -in) must see EOF, not hang.
        process.StandardInput.Close();

        // Drain both pipes concurrently: a full pipe would block the child and look like a hang.
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // Never leave a stray child behind a failed test.
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{commandLine}' did not exit within {timeout}.");
        }

        return new Result(process.ExitCode, await standardOutput, await standardError);
    }
}
