using System.Globalization;

namespace MtlsGateway.Identity;

/// <summary>Human wording for times and durations in hints ("3 days", "2026-11-20T10:00:00Z").</summary>
internal static class Durations
{
    /// <summary>The largest unit reached, rounded: "3 days", "1 hour", "4 minutes", "12 seconds".</summary>
    public static string Humanize(TimeSpan duration)
    {
        var d = duration.Duration();
        return d switch
        {
            { TotalDays: >= 1 } => Plural(d.TotalDays, "day"),
            { TotalHours: >= 1 } => Plural(d.TotalHours, "hour"),
            { TotalMinutes: >= 1 } => Plural(d.TotalMinutes, "minute"),
            _ => Plural(d.TotalSeconds, "second"),
        };
    }

    /// <summary>UTC, second precision, ISO 8601 with a Z — the form ops paste into other tools.</summary>
    public static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Rounded rather than truncated: certificate times have whole seconds, so "30 days" is often 29.9999 days.
    private static string Plural(double value, string unit)
    {
        var count = (long)Math.Round(value, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");
    }
}
