using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class DurationsTests
{
    [Theory]
    [InlineData(0, "0 seconds")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "1 minute")]
    [InlineData(4 * 60 + 10, "4 minutes")]
    [InlineData(3600, "1 hour")]
    [InlineData(5 * 3600 + 40 * 60, "6 hours")]
    [InlineData(86400, "1 day")]
    [InlineData(3 * 86400 - 1, "3 days")]
    [InlineData(-3 * 86400, "3 days")]
    public void Humanize_Seconds_ReadsAsLargestUnit(int seconds, string expected) =>
        Durations.Humanize(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    [Fact]
    public void Instant_AnyOffset_IsUtcIsoWithZ() =>
        Durations.Instant(new DateTimeOffset(2026, 11, 20, 12, 0, 0, 500, TimeSpan.FromHours(2))).Should().Be("2026-11-20T10:00:00Z");
}
