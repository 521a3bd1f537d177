namespace MtlsGateway.Tests.Admin;

/// <summary>A test that needs Debian's <c>chromium</c>: skipped, saying why, only on a developer machine without it;
/// under CI (<c>CI</c> set, where .ci/run installs it) it always runs, so a missing browser fails instead of hiding.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"{Executable} is not installed (apt-get install chromium); CI installs it and runs this test";
        }
    }
}
