namespace MtlsGateway.Tests.Deploy;

/// <summary>A test that needs <c>promtool</c> (Debian's <c>prometheus</c> package): skipped, saying why, only on a developer
/// machine without it; under CI (<c>CI</c> set, where .ci/run installs it) it always runs.</summary>
internal sealed class PromtoolFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/promtool";

    public PromtoolFactAttribute()
    {
        if (!File.Exists(Executable) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"{Executable} is not installed (apt-get install prometheus); CI installs it and runs this test";
        }
    }
}
