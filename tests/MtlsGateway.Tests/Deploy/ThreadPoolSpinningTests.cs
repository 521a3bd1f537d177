using MtlsGateway.Hosting;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// The gateway turns the thread pool's spinning off only where the operator said nothing: a value in the environment
/// (either prefix) or in the runtimeconfig is theirs and stays. What each choice costs is measured in bench/, not here.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ThreadPoolSpinningTests
{
    [Fact]
    public void Unset_TheGatewaySetsNoSpinning() =>
        ThreadPoolSpinning.DefaultFor(variable: null, configured: null).Should().Be("0");

    [Theory]
    [InlineData("46")] // .NET's own 70, written in hex as the runtime reads it
    [InlineData("0")]
    [InlineData("")]
    public void AnOperatorsVariable_IsLeftAlone(string value) =>
        ThreadPoolSpinning.DefaultFor(value, configured: null).Should().BeNull();

    [Fact]
    public void ARuntimeConfigValue_IsLeftAlone() =>
        ThreadPoolSpinning.DefaultFor(variable: null, configured: "30").Should().BeNull();
}
