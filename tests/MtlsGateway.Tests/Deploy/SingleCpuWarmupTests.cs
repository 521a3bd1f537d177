using MtlsGateway.Hosting;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// When the gateway says at start that .NET will optimise it ten times later: one CPU and the operator left
/// <c>DOTNET_TC_DelaySingleProcMultiplier</c> unset. What the setting changes is measured in bench/, not here.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SingleCpuWarmupTests
{
    [Fact]
    public void OneCpuAndUnset_IsSlow() => SingleCpuWarmup.IsSlow(processorCount: 1, multiplier: null).Should().BeTrue();

    [Theory]
    [InlineData("1")]
    [InlineData("10")] // the operator chose .NET's own value: theirs, nothing to say
    public void AnOperatorsValue_IsNotReported(string value) => SingleCpuWarmup.IsSlow(1, value).Should().BeFalse();

    [Fact]
    public void MoreThanOneCpu_IsNotSlow() => SingleCpuWarmup.IsSlow(processorCount: 2, multiplier: null).Should().BeFalse();
}
