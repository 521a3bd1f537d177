using MtlsGateway.Loading;

namespace MtlsGateway.Tests.Support;

/// <summary>What every validation-table test asserts: the configuration is refused, and one of its errors is at
/// <paramref name="path"/> and says <paramref name="message"/> (the other errors listed when it is not).</summary>
internal static class ConfigLoadResultAssertions
{
    public static void ShouldReport(this ConfigLoadResult result, string path, string message, string because = "")
    {
        result.IsValid.Should().BeFalse(because);
        result.Errors.Should().Contain(e => e.Path == path && e.Message.Contains(message),
            $"{because}; errors were: {string.Join(" | ", result.Errors)}");
    }
}
